using IncidentFunctions.Reports;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Channels;

/// <summary>
/// Builds <see cref="IncidentSummary"/> values from the report's <see cref="IncidentRow"/>: chat names an incident with
/// the PDF's sanitised, bounded text, enrichment and issue title.
/// </summary>
internal static class IncidentSummaries
{
    public static IncidentSummary From(IncidentRow row) => new()
    {
        Id = row.Id,
        AttackType = row.AttackType,
        Domain = NullIfEmpty(row.Domain),
        Path = NullIfEmpty(row.Path),
        Method = NullIfEmpty(row.Method),
        VulnerabilityId = row.VulnerabilityId,
        SecurityIssue = row.VulnerabilityTitle,
        Status = row.Status,
        Hits = row.Hits,
        FirstSeen = row.FirstSeen,
        LastSeen = row.LastSeen,
        TopIp = NullIfEmpty(row.TopIp),
        Country = row.CountryName ?? row.Country,
        SourceType = row.SourceType is { } type ? Labels.SourceType(type) : null,
        MaliciousLists = row.MaliciousLists,
        ConsoleLink = row.ConsoleLink,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
