using System.ComponentModel.DataAnnotations;

namespace IncidentFunctions.Reports;

/// <summary>How the incident list of a report is ordered (newest first in each case).</summary>
public enum ReportIncidentOrder
{
    /// <summary>By latest hit, as the Wallarm Console lists incidents.</summary>
    LatestHit,
    FirstHit,
    Hits,
}

/// <summary>How the incident list is laid out.</summary>
public enum ReportLayout
{
    /// <summary>One row per incident with the Console's columns, most rows on one line.</summary>
    Compact,

    /// <summary>Several lines per incident: full attack id, duration, payloads, source details, application.</summary>
    Detailed,
}

public enum ReportPageSize
{
    A4,
    Letter,
}

/// <summary>What the PDF shows and how it is served. Bound from the <c>Reports</c> section (its time zone: <c>CalendarOptions</c>).</summary>
public sealed class ReportOptions
{
    public const string SectionName = "Reports";

    /// <summary>The longest <see cref="Marking"/>: a label, not a paragraph.</summary>
    public const int MaxMarkingChars = 60;

    [Required]
    [StringLength(200)]
    public string Title { get; set; } = "Daily incident report";

    /// <summary>Shown under the title and in the PDF's author field.</summary>
    [StringLength(200)]
    public string CompanyName { get; set; } = "";

    /// <summary>
    /// The company logo's blob in <c>Storage:ReportsContainer</c> (PNG, JPEG, GIF, BMP or WebP, at most 1 MB), drawn
    /// above the title of every report; empty for none. Without the file, or with one that is not a usable image,
    /// reports have no logo (<see cref="ReportLogo"/>).
    /// </summary>
    [StringLength(1024)]
    public string LogoBlob { get; set; } = DefaultLogoBlob;

    /// <summary>
    /// A handling marking printed in bold at the right of every page's header and footer of every report, as the
    /// Traffic Light Protocol asks of a labelled document: <c>TLP:AMBER</c>, <c>TLP:RED</c>, <c>Confidential</c>; empty for none.
    /// </summary>
    [StringLength(MaxMarkingChars)]
    public string Marking { get; set; } = "";

    public const string DefaultLogoBlob = "branding/logo.png";

    public ReportIncidentOrder IncidentOrder { get; set; } = ReportIncidentOrder.LatestHit;

    /// <summary>The incident list's layout (<c>Reports:Layout</c>): compact table (default) or the detailed one.</summary>
    public ReportLayout Layout { get; set; } = ReportLayout.Compact;

    /// <summary>Pages are landscape in this size.</summary>
    public ReportPageSize PageSize { get; set; } = ReportPageSize.A4;

    /// <summary>Days older than this (counted back from today in the report zone) answer 404.</summary>
    [Range(1, 3660)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>Rows in each top table (sources, targets).</summary>
    [Range(1, 100)]
    public int TopRows { get; set; } = 10;

    /// <summary>An incident whose last hit is this recent when the report is generated is labelled "ongoing".</summary>
    public TimeSpan OngoingWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// A cached PDF's freshness is checked against storage at most this often per day and instance; within it the
    /// cached file is served as is (bounds staleness, keeps repeated downloads off the tables).
    /// </summary>
    public TimeSpan CacheRevalidateAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Signing keys for shared links by key id: base64 secrets of at least 32 bytes. Keep old ids until their links expire.</summary>
    public Dictionary<string, string> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Key id that signs new links; must be one of <see cref="SigningKeys"/>.</summary>
    public string? ActiveSigningKeyId { get; set; }

    /// <summary>Default validity of a shared link.</summary>
    public TimeSpan SignedLinkLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>No shared link is issued or accepted for longer than this.</summary>
    public TimeSpan MaxSignedLinkLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Render a small made-up report a few times in the background once the host has started, run the latest day's
    /// storage checks, and build (and drop) a model from a page of each set of the most recent day with rows, so a new
    /// instance's first report request does not also pay the process's one-time costs (JIT, fonts, PDF backend,
    /// storage connections, table reads). Stops when the first report is asked for. Costs one to two seconds of CPU
    /// per start.
    /// </summary>
    public bool WarmUpOnStart { get; set; } = true;

    public const string DefaultCsvSnapshotSchedule = "0 20 * * * *";

    /// <summary>
    /// NCRONTAB (6 fields, UTC; app setting <c>CSV_SNAPSHOTS_SCHEDULE</c>) of <see cref="CsvSnapshotJob"/>, which writes
    /// closed days' CSV snapshots ahead of their first export. Hourly, so late enrichment of yesterday is caught within the hour.
    /// </summary>
    public string CsvSnapshotSchedule { get; set; } = DefaultCsvSnapshotSchedule;

    /// <summary>Closed days before today (report zone) that <see cref="CsvSnapshotJob"/> keeps snapshotted; 0 turns it off. At most <see cref="RetentionDays"/>.</summary>
    public int CsvSnapshotLookBackDays { get; set; } = 7;

    /// <summary>Public base address of the HTTP API including the route prefix, e.g. <c>https://func-x.azurewebsites.net/api/</c>; needed for absolute shared links.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary><paramref name="pathAndQuery"/> (relative to the API base) under <see cref="PublicBaseUrl"/>; null when none is set.</summary>
    public Uri? PublicLink(string pathAndQuery)
        => PublicBaseUrl is { } b ? new Uri(b.AbsoluteUri.EndsWith('/') ? b : new Uri(b.AbsoluteUri + "/"), pathAndQuery) : null;
}
