using System.ComponentModel.DataAnnotations;

namespace IncidentFunctions.Alerts;

/// <summary>Real-time alerts after enrichment (off by default). Bound from <c>Digest:Alerts</c>.</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Digest:Alerts";

    public bool Enabled { get; set; }

    /// <summary>
    /// NCRONTAB (6 fields, UTC) of the <c>SendAlerts</c> timer, bound from the <c>ALERTS_SCHEDULE</c> app setting the
    /// trigger reads. Every minute, 5 s past (an interval ends on the minute; the margin absorbs clock skew): it posts
    /// the roll-up of an interval that has just ended and retries alerts that could not be delivered.
    /// </summary>
    public string Schedule { get; set; } = "5 * * * * *";

    /// <summary>At most this many single-incident alerts per channel per <see cref="Interval"/>; the rest go into one roll-up message.</summary>
    [Range(1, 100)]
    public int MaxPerInterval { get; set; } = 5;

    /// <summary>Length of a roll-up interval; intervals are aligned to the Unix epoch in UTC.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// An incident whose first hit is older than this when enrichment finishes is not "new" (no alert on first enabling,
    /// or after a long backlog). An alert or roll-up still not delivered this long after it was recorded is given up,
    /// with an error log (the daily digest lists the incidents anyway).
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Incidents listed by name in a roll-up message; the rest are counted.</summary>
    [Range(0, 20)]
    public int RollupListed { get; set; } = 10;
}
