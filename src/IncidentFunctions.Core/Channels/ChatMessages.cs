using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using NodaTime;

namespace IncidentFunctions.Channels;

/// <summary>
/// What is posted to chat, independent of the platform: a <see cref="DigestMessage"/> or an <see cref="AlertMessage"/>.
/// Strings that come from attackers or external systems are already sanitised (<see cref="Text.UntrustedText"/>:
/// no controls, no bidi, bounded); each renderer still escapes them for its platform's markup and mentions.
/// </summary>
public abstract record ChatMessage
{
    /// <summary>The report time zone the local times in the message refer to.</summary>
    public required string TimeZone { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The handling marking of the reports (<c>Reports:Marking</c>, e.g. TLP:AMBER) the message shares, or null.</summary>
    public string? Marking { get; init; }
}

/// <summary>Incidents, hits and unique source IPs of one day.</summary>
public sealed record DigestFigures(int Incidents, long Hits, int UniqueSourceIps, int Blocked, int PartiallyBlocked, int Monitoring, int Unknown);

/// <summary>One incident as chat shows it.</summary>
public sealed record IncidentSummary
{
    public required string Id { get; init; }

    public required string AttackType { get; init; }

    public string? Domain { get; init; }

    public string? Path { get; init; }

    public string? Method { get; init; }

    public long VulnerabilityId { get; init; }

    /// <summary>Title of the exploited security issue, or <c>Security issue {id}</c> when unknown.</summary>
    public string? SecurityIssue { get; init; }

    public IncidentStatus Status { get; init; }

    public long Hits { get; init; }

    public DateTimeOffset FirstSeen { get; init; }

    public DateTimeOffset LastSeen { get; init; }

    public string? TopIp { get; init; }

    /// <summary>Country name or ISO code of the top IP.</summary>
    public string? Country { get; init; }

    /// <summary>Source type label ("Tor", "Cloud", …); null before enrichment ran for the IP.</summary>
    public string? SourceType { get; init; }

    /// <summary>Reputation lists naming the top IP; empty when none does or before enrichment.</summary>
    public IReadOnlyList<string> MaliciousLists { get; init; } = [];

    /// <summary>The security issue in the Wallarm Console (built from its numeric id, never from attacker text).</summary>
    public Uri? ConsoleLink { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string Target => (Domain ?? "") + (Path ?? "");
}

/// <summary>What a weekly or monthly digest adds to the figures: the trends its PDF shows in full.</summary>
/// <param name="RecurringAttackers">Source IPs seen on two or more days of the period.</param>
/// <param name="TopRecurring">The recurring source IPs seen on the most days (then hits), most first.</param>
/// <param name="NewIssues">Security issues exploited in the period and not in the one before.</param>
/// <param name="StillExploitedIssues">Security issues exploited in the period and already in the one before.</param>
/// <param name="BusiestDay">The day with the most incidents; null when there were none.</param>
/// <param name="Sources">Tor, proxy, cloud and listed shares of the enriched source IPs; null before enrichment ran.</param>
/// <param name="PreviousSources">The same for the period before.</param>
public sealed record PeriodTrends(
    int RecurringAttackers,
    IReadOnlyList<RecurringSource> TopRecurring,
    int NewIssues,
    int StillExploitedIssues,
    PeriodDayFigures? BusiestDay,
    SourceMix? Sources,
    SourceMix? PreviousSources);

/// <summary>A recurring source IP as chat shows it (the IP, country and source type are untrusted text).</summary>
public sealed record RecurringSource(string Ip, int Days, long Hits, string? Country, string? SourceType);

public sealed record PeriodDayFigures(LocalDate Day, int Incidents, long Hits);

/// <summary>Of <paramref name="Known"/> enriched source IPs, how many are Tor, proxies/VPNs, cloud, or listed malicious.</summary>
public sealed record SourceMix(int Known, int Tor, int Proxy, int Cloud, int Malicious);

/// <summary>Missing hours of a digest's day, or records that could not be read: the counts are a lower bound.</summary>
/// <param name="Missing">The gaps in UTC.</param>
/// <param name="MissingLocal">The same gaps in the report zone, e.g. <c>02:00–05:30</c>.</param>
/// <param name="UnreadableRecords">Wallarm records of the day that could not be read (quarantined, still unresolved).</param>
public sealed record CoverageGap(IReadOnlyList<TimeWindow> Missing, IReadOnlyList<string> MissingLocal, TimeSpan MissingDuration, int UnreadableRecords = 0);

/// <summary>The stored PDF behind a digest and the signed link to it.</summary>
public sealed record ReportLink(Uri Url, DateTimeOffset ExpiresAt, string Sha256, long Bytes, int Pages);

/// <summary>A signed link to the report archive page (every day within retention), valid until <paramref name="ExpiresAt"/>.</summary>
public sealed record ArchiveLink(Uri Url, DateTimeOffset ExpiresAt);

/// <summary>The digest of one report day, or (with <see cref="Kind"/> Week or Month) of an ISO week or calendar month.</summary>
public sealed record DigestMessage : ChatMessage
{
    /// <summary>The digest's title, with the report's <see cref="ChatMessage.Marking"/> in front when it has one.</summary>
    public required string Title { get; init; }

    /// <summary>The report day; for a week or month its first day.</summary>
    public required LocalDate Day { get; init; }

    /// <summary>What the digest covers: the day (default), or the week or month starting on <see cref="Day"/>.</summary>
    public PeriodKind Kind { get; init; } = PeriodKind.Day;

    [System.Text.Json.Serialization.JsonIgnore]
    public ReportPeriod Period => ReportPeriod.Of(Kind, Day);

    /// <summary>A week's or month's trends (null for a day).</summary>
    public PeriodTrends? Trends { get; init; }

    public required DigestFigures Figures { get; init; }

    public required DigestFigures PreviousFigures { get; init; }

    /// <summary>The most important incidents (by hits), most important first.</summary>
    public required IReadOnlyList<IncidentSummary> TopIncidents { get; init; }

    public CoverageGap? Coverage { get; init; }

    /// <summary>Gaps of the day before, which the changes compare with; null when it was pulled whole.</summary>
    public CoverageGap? PreviousCoverage { get; init; }

    public required ReportLink Report { get; init; }

    /// <summary>The archive page, when the digest carries a link to it (email does).</summary>
    public ArchiveLink? Archive { get; init; }

    /// <summary>False until enrichment wrote any source profile for the day (source labels then read "not enriched").</summary>
    public bool SourcesEnriched { get; init; }
}

/// <summary>A real-time alert: one new incident, or a roll-up of the ones over the per-interval limit.</summary>
public sealed record AlertMessage : ChatMessage
{
    /// <summary>The incidents listed by name, newest first.</summary>
    public required IReadOnlyList<IncidentSummary> Incidents { get; init; }

    /// <summary>New incidents counted but not listed (roll-up only).</summary>
    public int NotListed { get; init; }

    /// <summary>For a roll-up: the interval whose surplus it reports.</summary>
    public TimeWindow? RollupInterval { get; init; }

    public bool IsRollup => RollupInterval is not null;

    public int Total => Incidents.Count + NotListed;
}
