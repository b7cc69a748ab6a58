using System.Globalization;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>Top source IPs, targeted domains and paths, and the security issues exploited (linked to the Console).</summary>
internal sealed class TopTablesSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        var report = context.Report;
        SectionHeading.Place(context, "Top source IPs", "top-sources");
        Table.Render(context.Flow, context.Text,
        [
            new("IP", 1.3f), new("Country", 0.9f), new("ASN / organisation", 1.8f), new("Source type", 1.1f),
            new("Malicious lists", 1.5f), new("Hits", 0.7f, TextAlign.Right), new("Incidents", 0.7f, TextAlign.Right),
        ],
        report.TopSources.Select(s => new[]
        {
            TableCell.Of(s.Ip, Typography.Code, 2),
            TableCell.Of(s.Country ?? Labels.None, Typography.Small, 2),
            TableCell.Of(Org(s), Typography.Small, 2),
            TableCell.Of(Labels.SourceType(s.SourceType) + (s.SourceType is not null && s.CloudProvider is { } p ? $" ({p})" : ""), Typography.Small, 2),
            TableCell.Of(s.MaliciousLists.Count == 0 ? Labels.None : string.Join(", ", s.MaliciousLists), Typography.Small, 3),
            TableCell.Of(Numbers.Number(s.Hits), Typography.Small),
            TableCell.Of(Numbers.Number(s.Incidents), Typography.Small),
        }), "Top source IPs (continued)");

        Targets(context.Flow, context.Text, report.TopTargets);

        SectionHeading.Place(context, "Security issues exploited", "issues");
        Table.Render(context.Flow, context.Text,
        [
            new("ID", 0.7f), new("Title", 3.2f), new("Type", 1f), new("Severity", 0.9f), new("Status", 0.8f), new("Incidents", 0.7f, TextAlign.Right),
        ],
        report.Issues.Select(i => new[]
        {
            TableCell.Of(i.VulnerabilityId.ToString(CultureInfo.InvariantCulture), i.ConsoleLink is null ? Typography.Small : Typography.Link, 1, i.ConsoleLink?.AbsoluteUri),
            // The title is attacker-influenced: plain text, never a link; the id beside it is the Console link.
            TableCell.Of(new CellPart(i.Title, Typography.Small, 3, ShowCutCount: true)),
            TableCell.Of(i.Type ?? Labels.None, Typography.Small, 2),
            TableCell.Of(Labels.Threat(i.Threat), Typography.Small),
            TableCell.Of(i.Status ?? Labels.None, Typography.Small),
            TableCell.Of(Numbers.Number(i.Incidents), Typography.Small),
        }), "Security issues exploited (continued)");
    }

    internal static void Targets(PageFlow flow, TextEngine text, IReadOnlyList<TargetRow> targets)
    {
        SectionHeading.Place(flow, text, "Targeted domains and paths", "top-targets");
        Table.Render(flow, text,
        [
            new("Domain", 1.6f), new("Path", 4f), new("Incidents", 0.7f, TextAlign.Right), new("Hits", 0.7f, TextAlign.Right),
        ],
        targets.Select(t => new[]
        {
            TableCell.Of(t.Domain.Length == 0 ? Labels.None : t.Domain, Typography.Small, 3),
            TableCell.Of(new CellPart(t.Path.Length == 0 ? Labels.None : t.Path, Typography.Code, 4, ShowCutCount: true)),
            TableCell.Of(Numbers.Number(t.Incidents), Typography.Small),
            TableCell.Of(Numbers.Number(t.Hits), Typography.Small),
        }), "Targeted domains and paths (continued)");
    }

    internal static string Org(long? asn, string? organization)
    {
        if (asn is null && organization is null) return Labels.None;
        var number = asn is { } n ? string.Create(CultureInfo.InvariantCulture, $"AS{n}") : null;
        return string.Join(" ", new[] { number, organization }.Where(x => x is not null));
    }

    private static string Org(SourceRow s)
    {
        if (s.Asn is null && s.AsOrganization is null) return Labels.None;
        var asn = s.Asn is { } n ? string.Create(CultureInfo.InvariantCulture, $"AS{n}") : null;
        return string.Join(" ", new[] { asn, s.AsOrganization }.Where(x => x is not null));
    }
}
