using System.ComponentModel.DataAnnotations;
using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Enrichment;

/// <summary>
/// Enrichment and intel refresh settings, bound from the <c>Enrichment</c> section (app settings
/// <c>Enrichment__CacheTtl</c>, <c>Enrichment__Sources__0__Url</c>…). The refresh schedule comes from the
/// <c>REFRESH_INTEL_SCHEDULE</c> app setting that the timer trigger also reads.
/// </summary>
/// <example>
/// Production, with the ip-location-db files from the CDN and the public lists:
/// <code>
/// Enrichment__Sources__0__Name=tor-exits         Enrichment__Sources__0__Type=TorExitAddresses  Enrichment__Sources__0__Url=https://check.torproject.org/exit-addresses
/// Enrichment__Sources__1__Name=aws               Enrichment__Sources__1__Type=AwsIpRanges       Enrichment__Sources__1__Url=https://ip-ranges.amazonaws.com/ip-ranges.json
/// Enrichment__Sources__2__Name=spamhaus-drop-v4  Enrichment__Sources__2__Type=SpamhausDropJson  Enrichment__Sources__2__Url=https://www.spamhaus.org/drop/drop_v4.json
///   Enrichment__Sources__2__Attribution=Spamhaus DROP list, (c) The Spamhaus Project
/// Enrichment__Sources__3__Name=geolite2-city     Enrichment__Sources__3__Type=Mmdb              Enrichment__Sources__3__Path=/home/data/GeoLite2-City.mmdb
///   Enrichment__Sources__3__Attribution=This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com
/// </code>
/// </example>
public sealed class EnrichmentOptions
{
    public const string SectionName = "Enrichment";

    /// <summary>Daily at 03:30 UTC (schedules run in UTC on Linux plans).</summary>
    public const string DefaultRefreshSchedule = "0 30 3 * * *";

    /// <summary>How long an address's profile is reused before it is looked up again (per-IP cache table).</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Slack when judging Tor status against an incident's time: an address counts as a Tor exit when the exit lists
    /// named it within this long of the incident. Covers the gap between list refreshes.
    /// </summary>
    public TimeSpan TorTolerance { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long exit addresses that dropped off the lists are remembered, so older incidents are judged right.</summary>
    public TimeSpan TorHistory { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The default of <see cref="StaleAfter"/>: "IP database more than a month old" is the warning users know.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromDays(30);

    /// <summary>
    /// Intel data older than this is called stale: a report warns when its labels come from data this much older than
    /// the day or period it describes, and <c>/api/status</c> flags a source whose data is this old (addresses change
    /// hands within months). Whole days, at least one.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = DefaultStaleAfter;

    /// <summary>A download with fewer entries than this share of the last good copy is refused (0.5: refuse shrinking by more than half).</summary>
    [Range(0.0, 1.0)]
    public double MaxShrink { get; set; } = 0.5;

    /// <summary>NCRONTAB (with seconds) of <c>RefreshIntel</c>; bound from <c>REFRESH_INTEL_SCHEDULE</c>.</summary>
    public string RefreshSchedule { get; set; } = DefaultRefreshSchedule;

    /// <summary>Blob container for snapshots, the latest pointer and the status record.</summary>
    public string SnapshotContainer { get; set; } = "intel";

    /// <summary>How many published snapshots are kept besides the latest (older ones are deleted).</summary>
    [Range(1, 100)]
    public int SnapshotsKept { get; set; } = 3;

    /// <summary>How often an enrichment instance checks whether a newer snapshot was published.</summary>
    public TimeSpan SnapshotCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    [Range(0, 10)]
    public int DownloadRetries { get; set; } = 2;

    /// <summary>Profiles kept in memory per instance (on top of the cache table) so hot addresses cost no storage read.</summary>
    public int MemoryCacheSize { get; set; } = 100_000;

    /// <summary>
    /// Adds the offline defaults: the npm packages <c>@ip-location-db/geo-whois-asn-country-mmdb</c> (country) and
    /// <c>@ip-location-db/asn</c> (ASN and organisation), found under <c>node_modules</c> of the repository
    /// (<c>npm ci</c>). Where they are not installed (a deployed app) they are skipped.
    /// </summary>
    public bool UseDefaultSources { get; set; } = true;

    /// <summary>
    /// Adds the providers' public lists (<see cref="IntelSourcePresets.PublicFeeds"/>): what a deployed app should
    /// use unless it configures its own. Off by default, so nothing reaches the internet unless asked to.
    /// </summary>
    public bool UsePublicFeeds { get; set; }

    /// <summary>
    /// Base URL of a running Wallarm simulator: adds a source for each intel feed it serves (Tor, cloud ranges,
    /// reputation, VPN and proxy lists). For the demo and tests; see <see cref="IntelSourcePresets.SimulatorFeeds"/>.
    /// </summary>
    public Uri? SimulatorFeeds { get; set; }

    /// <summary>Sources in priority order: where ranges of equal size disagree, the earlier source wins.</summary>
    public List<IntelSourceOptions> Sources { get; set; } = [];
}

/// <summary>One intel source: its format, where it is, and what its licence asks for.</summary>
public sealed class IntelSourceOptions
{
    /// <summary>Short stable name (lowercase letters, digits, '.', '_', '-'): it appears in provenance and as the malicious list's label.</summary>
    public string Name { get; set; } = "";

    public IntelSourceType Type { get; set; }

    /// <summary>http(s) URL, fetched with conditional requests. Exactly one of <see cref="Url"/> and <see cref="Path"/>.</summary>
    public Uri? Url { get; set; }

    /// <summary>Local file; a relative path is looked up from the app's folder and its parents (the repository root locally).</summary>
    public string? Path { get; set; }

    /// <summary>The attribution line the data's licence requires; written with every day the source enriched.</summary>
    public string? Attribution { get; set; }

    public string? License { get; set; }

    /// <summary>For <see cref="IntelSourceType.CloudflareIps"/> and <see cref="IntelSourceType.CloudGeofeed"/>: the provider the ranges belong to.</summary>
    public string? Provider { get; set; }

    /// <summary>For <see cref="IntelSourceType.IpList"/>: what being listed means (default: malicious).</summary>
    public IntelListCategory Category { get; set; } = IntelListCategory.Malicious;

    /// <summary>Fewest entries a plausible copy has; fewer is refused.</summary>
    public int MinEntries { get; set; } = 1;

    /// <summary>Largest plausible size in bytes; a bigger download is refused.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>A missing file is skipped quietly instead of being reported (used by the offline defaults).</summary>
    public bool Optional { get; set; }

    public bool Enabled { get; set; } = true;
}
