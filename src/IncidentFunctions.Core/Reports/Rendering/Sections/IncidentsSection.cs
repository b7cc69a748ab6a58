using System.Globalization;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports.Rendering.Typesetting;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>Every incident as the Wallarm Console lists it, one row each, continuing across pages.</summary>
internal sealed class IncidentsSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        var (report, format) = (context.Report, context.Format);
        var order = report.Order switch
        {
            ReportIncidentOrder.FirstHit => "first hit",
            ReportIncidentOrder.Hits => "hits",
            _ => "latest hit",
        };
        SectionHeading.Place(context, $"Incidents ({ReportFormat.Number(report.Incidents.Count)}, by {order}, newest first)", "incidents");
        var columns = new TableColumn[]
        {
            new($"When ({report.TimeZone})", 1.35f),
            new("Attack", 1.15f),
            new("Hits", 0.55f, TextAlign.Right),
            new("Source", 1.65f),
            new("Target", 2.7f),
            new("Status", 0.85f),
            new("Parameter", 1.35f),
            new("Security issue", 1.8f),
        };
        Table.Render(context.Flow, context.Text, columns, report.Incidents.Select(i => Row(i, format)), "Incidents (continued)");
    }

    private static TableCell[] Row(IncidentRow i, ReportFormat format)
    {
        var when = $"{format.Time(i.FirstSeen)} – {format.Time(i.LastSeen)}";
        var duration = ReportFormat.Duration(i.LastSeen - i.FirstSeen) + (i.Ongoing ? " · ongoing" : "");
        var source = new List<CellPart> { new(i.TopIp ?? "–", Typography.Code, 2) };
        var details = new List<string>();
        if (i.IpCount > 1) details.Add($"{ReportFormat.Number(i.IpCount)} IPs");
        if (i.Country is { } country) details.Add(country);
        if (i.SourceType is { } type) details.Add(DailyReportBuilder.SourceTypeLabel(type));
        if (i.MaliciousLists.Count > 0) details.Add("malicious: " + string.Join(", ", i.MaliciousLists));
        if (details.Count > 0) source.Add(new CellPart(string.Join(" · ", details), Typography.SmallMuted, 3));

        var target = new List<CellPart> { new(i.Domain ?? "–", Typography.Small, 2) };
        target.Add(new CellPart(string.Join(" ", new[] { i.Method, i.Path }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } path ? path : "–", Typography.Code, 5));
        if (i.ApplicationId is { } app) target.Add(new CellPart(string.Create(CultureInfo.InvariantCulture, $"application {app}"), Typography.SmallMuted, 1));

        var issue = new List<CellPart>();
        if (i.VulnerabilityTitle is { } title) issue.Add(new CellPart(title, i.ConsoleLink is null ? Typography.Small : Typography.Link, 3, i.ConsoleLink?.AbsoluteUri));
        issue.Add(new CellPart(string.Create(CultureInfo.InvariantCulture, $"#{i.VulnerabilityId} · {ReportFormat.Threat(i.Threat)}"), Typography.SmallMuted, 1));

        return
        [
            TableCell.Of(new CellPart(when, Typography.Small, 2), new CellPart(duration, Typography.SmallMuted, 1), new CellPart(i.Id, Typography.Footer, 4)),
            TableCell.Of(new CellPart(i.AttackType, Typography.SmallBold, 2), new CellPart(i.PayloadCount is { } n ? $"{ReportFormat.Number(n)} payload(s)" : "–", Typography.SmallMuted, 1)),
            TableCell.Of(ReportFormat.Number(i.Hits), Typography.Small),
            new TableCell(source),
            new TableCell(target),
            TableCell.Of(DailyReportBuilder.StatusLabel(i.Status), StatusStyle(i.Status)),
            TableCell.Of(i.Parameter ?? "–", Typography.Code, 3),
            new TableCell(issue),
        ];
    }

    private static TextStyle StatusStyle(IncidentStatus status) => status switch
    {
        IncidentStatus.Blocked => Typography.SmallBold.WithColor(Typography.Blocked),
        IncidentStatus.PartiallyBlocked => Typography.SmallBold.WithColor(Typography.Partial),
        IncidentStatus.Monitoring => Typography.SmallBold.WithColor(Typography.Monitoring),
        _ => Typography.Small,
    };
}
