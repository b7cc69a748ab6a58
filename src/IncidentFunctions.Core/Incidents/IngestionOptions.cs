using System.ComponentModel.DataAnnotations;

namespace IncidentFunctions.Incidents;

/// <summary>How incidents are pulled. Bound from the <c>Ingestion</c> section.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>NCRONTAB (6 fields, UTC) for <c>PullIncidents</c>; bound from the <c>PULL_INCIDENTS_SCHEDULE</c> app setting.</summary>
    public string Schedule { get; set; } = "0 */5 * * * *";

    /// <summary>Each run starts this far before the checkpoint, so late and updated incidents are merged.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How far back the first run (no checkpoint yet) backfills.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Catch-up never reaches further back than this (Wallarm keeps 3–6 months and queries at most 6).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "183.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MaxCatchUp { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The pull is cut into windows of at most this length; the checkpoint moves after each one.</summary>
    public TimeSpan WindowSize { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A run starts no new window after this long, well inside the function timeout; the next run resumes.</summary>
    public TimeSpan RunBudget { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>An incident is filed under at most this many (most recent) report days.</summary>
    [Range(1, 400)]
    public int MaxDaysPerIncident { get; set; } = 62;

    /// <summary>Security issues already stored are fetched again after this long, to pick up status changes.</summary>
    public TimeSpan VulnerabilityRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Each run also re-reads by id every stored incident whose last hit is at most this old, so hits, last hit and
    /// day rows stay current even when Wallarm's <c>time</c> filter matches an incident by its first hit only.
    /// Zero turns the re-read off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan OngoingHorizon { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Windows taken as read with incidents Wallarm counted but never listed (filed as unreadable records) are read
    /// again at most this often, the ten newest each time, until they read whole. Zero turns the re-read off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan UnreadRecheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Table transactions in flight at once.</summary>
    [Range(1, 64)]
    public int WriteParallelism { get; set; } = 4;
}
