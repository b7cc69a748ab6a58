using System.ComponentModel.DataAnnotations;

namespace IncidentFunctions.Digest;

/// <summary>The daily (and the opt-in weekly and monthly) digest: what it says and when it is sent. Bound from the <c>Digest</c> section (the channels too: <c>DeliveryOptions</c>).</summary>
public sealed class DigestOptions
{
    public const string SectionName = "Digest";

    /// <summary>Heading of the digest message.</summary>
    [Required]
    [StringLength(120)]
    public string Title { get; set; } = "Daily incident digest";

    /// <summary>Heading of the weekly digest (channels with <c>Weekly</c>).</summary>
    [Required]
    [StringLength(120)]
    public string WeeklyTitle { get; set; } = "Weekly incident digest";

    /// <summary>Heading of the monthly digest (channels with <c>Monthly</c>).</summary>
    [Required]
    [StringLength(120)]
    public string MonthlyTitle { get; set; } = "Monthly incident digest";

    /// <summary>NCRONTAB (6 fields, UTC) of the digest timer; bound from the <c>DAILY_DIGEST_SCHEDULE</c> app setting the trigger reads.</summary>
    public string Schedule { get; set; } = "0 */15 * * * *";

    /// <summary>Local time (report zone, <c>Reports:TimeZone</c>) after which yesterday's digest is sent, <c>HH:mm</c>.</summary>
    public string SendTime { get; set; } = "08:00";

    /// <summary>
    /// How many days back a run still sends a digest that was missed (outage, failing channel): 1 sends only
    /// yesterday's. Older days are skipped with a warning; their reports stay available.
    /// </summary>
    [Range(1, 14)]
    public int CatchUpDays { get; set; } = 3;

    /// <summary>How long the signed report link in a digest works; at most <c>Reports:MaxSignedLinkLifetime</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true)]
    public TimeSpan LinkValidity { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Incidents listed in a digest (by hits); the rest are counted with "N more in the report".</summary>
    [Range(1, 25)]
    public int TopIncidents { get; set; } = 5;
}
