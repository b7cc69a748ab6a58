using System.Globalization;
using IncidentFunctions.Reports.Rendering.Typesetting;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>The day's key figures beside the previous day's, with the change.</summary>
internal sealed class KeyFiguresSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        var report = context.Report;
        var (now, before) = (report.Figures, report.PreviousFigures);
        SectionHeading.Place(context, "Key figures", "key-figures", 120);
        var previousDay = report.Day.PlusDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var previousPartial = report.PreviousCoverage is { IsComplete: false };
        if (report.PreviousCoverage is { IsComplete: false } previousCoverage)
        {
            previousDay += string.Create(CultureInfo.InvariantCulture,
                $" (partial: {previousCoverage.CoveredDuration.TotalHours:0.#} h of {previousCoverage.DayWindow.Duration.TotalHours:0} h pulled)");
        }

        var columns = new TableColumn[]
        {
            new("Figure", 2.2f),
            new(report.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 1.3f),
            new(previousDay, 1.3f),
            new(previousPartial ? "Change (vs a partial day)" : "Change", 1.3f),
        };
        var rows = new List<TableCell[]>
        {
            Row("Incidents", now.Incidents, before.Incidents),
            Row("Hits", now.Hits, before.Hits),
            Row(now.UniqueSourceIpsIsLowerBound ? "Unique source IPs (at least; top IPs per incident)" : "Unique source IPs", now.UniqueSourceIps, before.UniqueSourceIps),
            Row("Blocked", now.Blocked, before.Blocked),
            Row("Partially blocked", now.PartiallyBlocked, before.PartiallyBlocked),
            Row("Monitoring", now.Monitoring, before.Monitoring),
        };
        if (now.UnknownStatus + before.UnknownStatus > 0) rows.Add(Row("Status unknown", now.UnknownStatus, before.UnknownStatus));

        rows.Add(
        [
            Cell("Most exploited security issue"),
            Cell(now.MostExploited is { } m ? $"{Bidi.Isolate(m.Title)} ({ReportFormat.Number(m.Incidents)} incidents)" : "–"),
            Cell(before.MostExploited is { } p ? $"{Bidi.Isolate(p.Title)} ({ReportFormat.Number(p.Incidents)} incidents)" : "–"),
            Cell(now.MostExploited?.VulnerabilityId == before.MostExploited?.VulnerabilityId ? "same" : "changed"),
        ]);

        rows.Add(ShareRow("Tor sources", now.Shares, before.Shares, s => s.Tor));
        rows.Add(ShareRow("Proxy / VPN sources", now.Shares, before.Shares, s => s.Proxy));
        rows.Add(ShareRow("Cloud sources", now.Shares, before.Shares, s => s.Cloud));
        rows.Add(ShareRow("Sources on malicious lists", now.Shares, before.Shares, s => s.Malicious));
        Table.Render(context.Flow, context.Text, columns, rows);
    }

    private static TableCell[] Row(string label, long now, long before)
        => [Cell(label), Cell(ReportFormat.Number(now)), Cell(ReportFormat.Number(before)), Cell(ReportFormat.Change(now, before))];

    private static TableCell[] ShareRow(string label, SourceShares? now, SourceShares? before, Func<SourceShares, int> part)
    {
        static string Show(SourceShares? s, Func<SourceShares, int> part)
            => s is null ? "not enriched" : s.Known == 0 ? "–" : $"{ReportFormat.Percent(SourceShares.Share(part(s), s.Known))} ({ReportFormat.Number(part(s))} of {ReportFormat.Number(s.Known)})";
        var change = now is { Known: > 0 } && before is { Known: > 0 }
            ? ReportFormat.ChangePoints(SourceShares.Share(part(now), now.Known), SourceShares.Share(part(before), before.Known))
            : "–";
        return [Cell(label), Cell(Show(now, part)), Cell(Show(before, part)), Cell(change)];
    }

    private static TableCell Cell(string text) => TableCell.Of(text, Typography.Small, 2);
}
