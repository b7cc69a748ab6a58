using System.Globalization;
using IncidentFunctions.Incidents;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>
/// Every incident, one row each, continuing across pages: by default the compact table with the Console's columns
/// (most rows on one line), or with <see cref="ReportLayout.Detailed"/> several lines per incident. Attacker text is
/// never drawn as a link; the only links are the Console links the app builds, in link style.
/// </summary>
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
        SectionHeading.Place(context, $"Incidents ({Numbers.Number(report.Incidents.Count)}, by {order}, newest first)", "incidents");
        if (report.Layout == ReportLayout.Detailed)
        {
            Table.Render(context.Flow, context.Text, DetailedColumns(report), report.Incidents, i => DetailedRow(i, format), "Incidents (continued)");
        }
        else
        {
            Table.Render(context.Flow, context.Text, CompactColumns(report.TimeZone), report.Incidents, i => CompactRow(i, format), "Incidents (continued)", Typography.CompactBold);
        }
    }

    /// <summary>
    /// The attack id's distinctive part, like a short commit hash: Wallarm ids are "&lt;index&gt;:&lt;key&gt;" and the
    /// key tells incidents apart; a long key is cut to its first <see cref="ShortIdChars"/> characters.
    /// </summary>
    internal static string ShortId(string id)
    {
        var colon = id.LastIndexOf(':');
        var key = colon >= 0 && id.Length - colon - 1 >= 4 ? id[(colon + 1)..] : id;
        return key.Length <= ShortIdChars + 1 ? key : key[..ShortIdChars] + Text.UntrustedText.Ellipsis;
    }

    private const int ShortIdChars = 8;

    /// <summary>Widths in points of a landscape page's text (padding aside), scaled to the page: most rows fit on one line.</summary>
    internal static TableColumn[] CompactColumns(string timeZone) =>
    [
        new($"When ({timeZone})", 61),
        new("Attack", 48), // Wallarm's longest types ("mass_assignment", "overlimit_res") whole on two lines
        new("Hits", 33, TextAlign.Right),
        new("Source", 81),
        new("Domain", 86),
        new("Path", 130),
        new("Status", 68),
        new("Parameter", 54),
        new("Issue", 36), // "#888888": Wallarm's issue numbers run to six digits, and a cut one cannot be looked up
        new("Security issue", 117),
        new("Attack id", 46),
    ];

    /// <param name="date">A period report's date line above the times (the times are then relative to that date).</param>
    internal static TableCell[] CompactRow(IncidentRow i, ReportFormat format, string? date = null)
    {
        var when = new List<CellPart> { new($"{format.Clock(i.FirstSeen)}–{format.Clock(i.LastSeen)}", Typography.Compact, 2, Unique: true) };
        if (date is not null) when.Insert(0, new CellPart(date, Typography.CompactMuted, 1));
        if (i.Ongoing) when.Add(new CellPart("ongoing", Typography.CompactMuted, 1));
        var source = i.TopIp is null ? Labels.None : i.Country is { } country ? $"{i.TopIp} {country}" : i.TopIp;
        var path = string.Join(" ", new[] { i.Method, i.Path }.Where(s => !string.IsNullOrEmpty(s)));
        return
        [
            new TableCell(when),
            TableCell.Of(i.AttackType, Typography.Compact, 2),
            TableCell.Of(Numbers.Number(i.Hits), Typography.Compact),
            TableCell.Of(new CellPart(source, Typography.CompactCode, 2, ShowCutCount: true, Unique: true)),
            TableCell.Of(new CellPart(i.Domain ?? Labels.None, Typography.Compact, 2, ShowCutCount: true)),
            TableCell.Of(new CellPart(path.Length == 0 ? Labels.None : path, Typography.CompactCode, 2, ShowCutCount: true, Unique: path.Length > 0)),
            TableCell.Of(Labels.Status(i.Status), StatusStyle(i.Status, Typography.CompactBold), 2),
            TableCell.Of(new CellPart(i.Parameter ?? Labels.None, Typography.CompactCode, 2, ShowCutCount: true)),
            IssueLink(i),
            TableCell.Of(new CellPart(i.VulnerabilityTitle ?? Labels.None, Typography.Compact, 2, ShowCutCount: true)),
            TableCell.Of(new CellPart(ShortId(i.Id), Typography.CompactCode, 1, Unique: true)),
        ];
    }

    /// <summary>The security issue's number, linked to the Console when its address is known (an app-built link).</summary>
    private static TableCell IssueLink(IncidentRow i)
    {
        if (i.VulnerabilityId <= 0) return TableCell.Of(Labels.None, Typography.Compact);
        var number = string.Create(CultureInfo.InvariantCulture, $"#{i.VulnerabilityId}");
        return i.ConsoleLink is { } link ? TableCell.Of(number, Typography.CompactLink, 1, link.AbsoluteUri) : TableCell.Of(number, Typography.Compact, 1);
    }

    private static TableColumn[] DetailedColumns(DailyReport report) =>
    [
        new($"When ({report.TimeZone})", 1.35f),
        new("Attack", 1.15f),
        new("Hits", 0.55f, TextAlign.Right),
        new("Source", 1.65f),
        new("Target", 2.7f),
        new("Status", 0.85f),
        new("Parameter", 1.35f),
        new("Security issue", 1.8f),
    ];

    private static TableCell[] DetailedRow(IncidentRow i, ReportFormat format)
    {
        var when = $"{format.Time(i.FirstSeen)} – {format.Time(i.LastSeen)}";
        var duration = Durations.Duration(i.LastSeen - i.FirstSeen) + (i.Ongoing ? " · ongoing" : "");
        var source = new List<CellPart> { new(i.TopIp ?? Labels.None, Typography.Code, 2) };
        var details = new List<string>();
        if (i.IpCount > 1) details.Add(Numbers.Count(i.IpCount, "IP", "IPs"));
        if (i.Country is { } country) details.Add(country);
        if (i.SourceType is { } type) details.Add(Labels.SourceType(type));
        if (i.MaliciousLists.Count > 0) details.Add("malicious: " + string.Join(", ", i.MaliciousLists));
        if (details.Count > 0) source.Add(new CellPart(string.Join(" · ", details), Typography.SmallMuted, 3));

        var target = new List<CellPart> { new(i.Domain ?? Labels.None, Typography.Small, 2, ShowCutCount: true) };
        target.Add(new CellPart(string.Join(" ", new[] { i.Method, i.Path }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } path ? path : Labels.None, Typography.Code, 5, ShowCutCount: true));
        if (i.ApplicationId is { } app) target.Add(new CellPart(string.Create(CultureInfo.InvariantCulture, $"application {app}"), Typography.SmallMuted, 1));

        // The title is attacker-influenced text: plain style, never a link. The app-built Console link is its own line.
        var issue = new List<CellPart>();
        if (i.VulnerabilityTitle is { } title) issue.Add(new CellPart(title, Typography.Small, 3, ShowCutCount: true));
        issue.Add(new CellPart(string.Create(CultureInfo.InvariantCulture, $"#{i.VulnerabilityId} · {Labels.Threat(i.Threat)}"), Typography.SmallMuted, 1));
        if (i.ConsoleLink is { } link) issue.Add(new CellPart("Open in Wallarm Console", Typography.Link, 1, link.AbsoluteUri));

        return
        [
            TableCell.Of(new CellPart(when, Typography.Small, 2), new CellPart(duration, Typography.SmallMuted, 1), new CellPart(i.Id, Typography.Footer, 4)),
            TableCell.Of(new CellPart(i.AttackType, Typography.SmallBold, 2), new CellPart(i.PayloadCount is { } n ? Numbers.Count(n, "payload", "payloads") : Labels.None, Typography.SmallMuted, 1)),
            TableCell.Of(Numbers.Number(i.Hits), Typography.Small),
            new TableCell(source),
            new TableCell(target),
            TableCell.Of(Labels.Status(i.Status), StatusStyle(i.Status, Typography.SmallBold)),
            TableCell.Of(new CellPart(i.Parameter ?? Labels.None, Typography.Code, 3, ShowCutCount: true)),
            new TableCell(issue),
        ];
    }

    private static TextStyle StatusStyle(IncidentStatus status, TextStyle bold) => status switch
    {
        IncidentStatus.Blocked => bold.WithColor(Typography.Blocked),
        IncidentStatus.PartiallyBlocked => bold.WithColor(Typography.Partial),
        IncidentStatus.Monitoring => bold.WithColor(Typography.Monitoring),
        _ => bold with { Role = FontRole.Sans },
    };
}
