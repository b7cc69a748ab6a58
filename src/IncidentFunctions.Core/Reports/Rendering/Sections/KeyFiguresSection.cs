using IncidentFunctions.Incidents;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>The day's key figures beside the previous day's, with the change.</summary>
internal sealed class KeyFiguresSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        var report = context.Report;
        var (now, before) = (report.Figures, report.PreviousFigures);
        SectionHeading.Place(context, "Key figures", "key-figures", 120);
        var previousDay = Dates.Day(report.Day.PlusDays(-1));
        var previousPartial = report.PreviousCoverage is { IsComplete: false };
        if (report.PreviousCoverage is { IsComplete: false } previousCoverage)
        {
            previousDay += $" (partial: {Durations.Duration(previousCoverage.CoveredDuration)} of {Durations.Duration(previousCoverage.DayWindow.Duration)} pulled)";
        }

        Render(context.Flow, context.Text, now, before, Dates.Day(report.Day), previousDay, previousPartial ? "Change (vs a partial day)" : "Change");
    }

    /// <summary>The figures table of any period: this one, the one before, and the change.</summary>
    internal static void Render(PageFlow flow, TextEngine text, KeyFigures now, KeyFigures before, string nowLabel, string beforeLabel, string changeLabel)
    {
        var columns = new TableColumn[]
        {
            new("Figure", 2.2f),
            new(nowLabel, 1.3f),
            new(beforeLabel, 1.3f),
            new(changeLabel, 1.3f),
        };
        var rows = new List<TableCell[]>
        {
            Row("Incidents", now.Incidents, before.Incidents),
            Row("Hits", now.Hits, before.Hits),
            Row(now.UniqueSourceIpsIsLowerBound ? "Unique source IPs (at least; top IPs per incident)" : "Unique source IPs", now.UniqueSourceIps, before.UniqueSourceIps),
            Row(Labels.Status(IncidentStatus.Blocked), now.Blocked, before.Blocked),
            Row(Labels.Status(IncidentStatus.PartiallyBlocked), now.PartiallyBlocked, before.PartiallyBlocked),
            Row(Labels.Status(IncidentStatus.Monitoring), now.Monitoring, before.Monitoring),
        };
        if (now.UnknownStatus + before.UnknownStatus > 0) rows.Add(Row(Labels.Status(IncidentStatus.Unknown), now.UnknownStatus, before.UnknownStatus));

        rows.Add(
        [
            Cell("Most exploited security issue"),
            Cell(now.MostExploited is { } m ? $"{Bidi.Isolate(m.Title)} ({Numbers.Count(m.Incidents, "incident", "incidents")})" : Labels.None),
            Cell(before.MostExploited is { } p ? $"{Bidi.Isolate(p.Title)} ({Numbers.Count(p.Incidents, "incident", "incidents")})" : Labels.None),
            Cell(now.MostExploited?.VulnerabilityId == before.MostExploited?.VulnerabilityId ? "same" : "changed"),
        ]);

        rows.Add(ShareRow("Tor sources", now.Shares, before.Shares, s => s.Tor));
        rows.Add(ShareRow("Proxy / VPN sources", now.Shares, before.Shares, s => s.Proxy));
        rows.Add(ShareRow("Cloud sources", now.Shares, before.Shares, s => s.Cloud));
        rows.Add(ShareRow("Sources on malicious lists", now.Shares, before.Shares, s => s.Malicious));
        Table.Render(flow, text, columns, rows);
    }

    private static TableCell[] Row(string label, long now, long before)
        => [Cell(label), Cell(Numbers.Number(now)), Cell(Numbers.Number(before)), Cell(Numbers.Change(now, before))];

    private static TableCell[] ShareRow(string label, SourceShares? now, SourceShares? before, Func<SourceShares, int> part)
    {
        static string Show(SourceShares? s, Func<SourceShares, int> part)
            => s is null ? Labels.NotEnriched : s.Known == 0 ? Labels.None : $"{Numbers.Percent(SourceShares.Share(part(s), s.Known))} ({Numbers.Number(part(s))} of {Numbers.Number(s.Known)})";
        var change = now is { Known: > 0 } && before is { Known: > 0 }
            ? Numbers.ChangePoints(SourceShares.Share(part(now), now.Known), SourceShares.Share(part(before), before.Known))
            : Labels.None;
        return [Cell(label), Cell(Show(now, part)), Cell(Show(before, part)), Cell(change)];
    }

    private static TableCell Cell(string text) => TableCell.Of(text, Typography.Small, 2);
}
