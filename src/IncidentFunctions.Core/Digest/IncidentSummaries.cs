using System.Globalization;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Text;

namespace IncidentFunctions.Digest;

/// <summary>Builds <see cref="IncidentSummary"/> values from stored rows, sanitising every string on the way in.</summary>
internal static class IncidentSummaries
{
    public static IncidentSummary From(IncidentEntity row, SourceProfile? profile, VulnerabilityEntity? vulnerability, Uri? consoleBase)
    {
        var country = profile?.CountryName ?? profile?.CountryCode ?? row.TopIpCountry;
        return new IncidentSummary
        {
            Id = UntrustedText.Sanitize(row.IncidentId, 120),
            AttackType = Clean(row.AttackType, IncidentLines.AttackTypeChars) ?? "unknown",
            Domain = Clean(row.Domain, 255),
            Path = Clean(row.Path, 1_000),
            Method = Clean(row.Method, 16),
            VulnerabilityId = row.VulnerabilityId,
            SecurityIssue = vulnerability?.Title is { Length: > 0 } title
                ? UntrustedText.Sanitize(title, 300)
                : row.VulnerabilityId > 0 ? string.Create(CultureInfo.InvariantCulture, $"Security issue {row.VulnerabilityId}") : null,
            Status = row.ReadStatus(),
            Hits = row.Hits,
            FirstSeen = row.FirstSeen,
            LastSeen = row.LastSeen,
            TopIp = Clean(row.TopIp, IncidentLines.IpChars),
            Country = Clean(country, IncidentLines.CountryChars),
            SourceType = profile is null ? null : SourceTypeLabel(profile.SourceType),
            MaliciousLists = profile?.MaliciousLists.Take(10).Select(l => UntrustedText.Sanitize(l, IncidentLines.ListChars)).ToList() ?? [],
            ConsoleLink = ConsoleLinkFor(consoleBase, row.VulnerabilityId),
        };
    }

    /// <summary>The PDF's labels, so chat and report name a source type alike.</summary>
    public static string SourceTypeLabel(SourceType type) => DailyReportBuilder.SourceTypeLabel(type);

    /// <summary>The security issue in the Console, from its numeric id only (the PDF's link).</summary>
    public static Uri? ConsoleLinkFor(Uri? consoleBase, long vulnerabilityId) => DailyReportBuilder.ConsoleLinkFor(consoleBase, vulnerabilityId);

    private static string? Clean(string? value, int max)
    {
        var clean = UntrustedText.Sanitize(value, max);
        return clean.Length == 0 ? null : clean;
    }
}
