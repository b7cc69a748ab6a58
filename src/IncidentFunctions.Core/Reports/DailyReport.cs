using System.Text.Json.Serialization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// Everything the daily PDF shows, computed from storage by <see cref="DailyReportBuilder"/>. Plain and immutable:
/// the document only lays it out. Every string from attackers or the API is already sanitised and defanged
/// (<see cref="Text.UntrustedText"/>), so the renderer needs no knowledge of where text came from.
/// </summary>
public sealed record DailyReport
{
    public required long TenantId { get; init; }

    public required LocalDate Day { get; init; }

    public required string TimeZone { get; init; }

    /// <summary>The day's instants, local midnight to local midnight (23 or 25 hours on DST days).</summary>
    public required TimeWindow Window { get; init; }

    public required string Title { get; init; }

    public string? CompanyName { get; init; }

    /// <summary>The handling marking (<see cref="ReportOptions.Marking"/>) on every page, or null.</summary>
    public string? Marking { get; init; }

    /// <summary>The company logo drawn above the title (<see cref="ReportLogo"/>); set by the service, not the builder. Pixels, not data: never serialized.</summary>
    [JsonIgnore]
    public LogoImage? Logo { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }

    public required DayCoverage Coverage { get; init; }

    public required KeyFigures Figures { get; init; }

    /// <summary>The same figures for the day before, for the change column.</summary>
    public required KeyFigures PreviousFigures { get; init; }

    /// <summary>What is known of the day before; when it has gaps, its figures (and so the change) are partial.</summary>
    public DayCoverage? PreviousCoverage { get; init; }

    /// <summary>One bucket per local hour of the day, by the hour of each incident's first hit within the day.</summary>
    public required IReadOnlyList<HourBucket> Hours { get; init; }

    public required IReadOnlyList<NamedCount> ByAttackType { get; init; }

    public required IReadOnlyList<NamedCount> ByCountry { get; init; }

    public required IReadOnlyList<NamedCount> BySourceType { get; init; }

    public required IReadOnlyList<NamedCount> ByStatus { get; init; }

    public required IReadOnlyList<SourceRow> TopSources { get; init; }

    public required IReadOnlyList<TargetRow> TopTargets { get; init; }

    public required IReadOnlyList<IssueRow> Issues { get; init; }

    /// <summary>Every incident of the day except false positives, in <see cref="Order"/>.</summary>
    public required IReadOnlyList<IncidentRow> Incidents { get; init; }

    public required ReportIncidentOrder Order { get; init; }

    public ReportLayout Layout { get; init; } = ReportLayout.Compact;

    /// <summary>Incidents marked false positive in the Console, left out of every figure.</summary>
    public int FalsePositivesExcluded { get; init; }

    /// <summary>False until enrichment has written any source profile for the day.</summary>
    public bool SourcesEnriched { get; init; }

    /// <summary>Attribution lines the intel data licences require.</summary>
    public IReadOnlyList<string> Attributions { get; init; } = [];

    /// <summary>The datasets the day's source labels came from, and how old their data was (<see cref="LabelData"/>).</summary>
    public IReadOnlyList<LabelDataset> Datasets { get; init; } = [];

    /// <summary>How much older than the report's start a dataset may be before the report warns (<see cref="EnrichmentOptions.StaleAfter"/>).</summary>
    public TimeSpan StaleDataAfter { get; init; } = EnrichmentOptions.DefaultStaleAfter;

    public bool IsEmpty => Incidents.Count == 0;
}

public sealed record KeyFigures(
    int Incidents,
    long Hits,
    int UniqueSourceIps,
    bool UniqueSourceIpsIsLowerBound,
    int Blocked,
    int PartiallyBlocked,
    int Monitoring,
    int UnknownStatus,
    IssueCount? MostExploited,
    SourceShares? Shares)
{
    public static KeyFigures Empty { get; } = new(0, 0, 0, false, 0, 0, 0, 0, null, null);
}

/// <summary>The most exploited security issue: id, title and how many incidents exploited it.</summary>
public sealed record IssueCount(long VulnerabilityId, string Title, int Incidents);

/// <summary>Of the unique source IPs that enrichment knows, how many are Tor, proxies/VPNs, cloud, or listed malicious.</summary>
public sealed record SourceShares(int Known, int Tor, int Proxy, int Cloud, int Malicious)
{
    public static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>The shares among <paramref name="known"/>, the profiles of the unique sources that enrichment knows.</summary>
    /// <remarks>Counted in one pass, so a busy day's tens of thousands of profiles need not be collected first.</remarks>
    public static SourceShares Of(IEnumerable<SourceProfile> known)
    {
        int count = 0, tor = 0, proxy = 0, cloud = 0, malicious = 0;
        foreach (var p in known)
        {
            count++;
            if (p.SourceType == SourceType.Tor) tor++;
            else if (p.SourceType is SourceType.PublicProxy or SourceType.WebProxy or SourceType.Vpn) proxy++;
            else if (p.SourceType == SourceType.CloudPlatform) cloud++;
            if (p.IsMalicious) malicious++;
        }

        return new(count, tor, proxy, cloud, malicious);
    }
}

public sealed record HourBucket(string Label, int Incidents, long Hits);

public sealed record NamedCount(string Name, int Count);

public sealed record SourceRow(
    string Ip,
    string? Country,
    string? AsOrganization,
    long? Asn,
    SourceType? SourceType,
    string? CloudProvider,
    IReadOnlyList<string> MaliciousLists,
    long Hits,
    int Incidents);

public sealed record TargetRow(string Domain, string Path, int Incidents, long Hits);

public sealed record IssueRow(long VulnerabilityId, string Title, string? Type, long? Threat, string? Status, int Incidents, Uri? ConsoleLink);

public sealed record IncidentRow
{
    public required string Id { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Last hit within <see cref="ReportOptions.OngoingWindow"/> of the generation time.</summary>
    public bool Ongoing { get; init; }

    public required string AttackType { get; init; }

    public long? PayloadCount { get; init; }

    public long Hits { get; init; }

    public string? TopIp { get; init; }

    public long IpCount { get; init; }

    public string? Country { get; init; }

    /// <summary>The country's name from enrichment, when known (the chat digest shows it; the PDF shows <see cref="Country"/>).</summary>
    public string? CountryName { get; init; }

    public SourceType? SourceType { get; init; }

    public IReadOnlyList<string> MaliciousLists { get; init; } = [];

    public string? Domain { get; init; }

    public string? Path { get; init; }

    public string? Method { get; init; }

    public long? ApplicationId { get; init; }

    public IncidentStatus Status { get; init; }

    public string? Parameter { get; init; }

    public long VulnerabilityId { get; init; }

    public string? VulnerabilityTitle { get; init; }

    public long? Threat { get; init; }

    public Uri? ConsoleLink { get; init; }
}
