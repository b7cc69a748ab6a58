namespace IncidentFunctions.Alerts;

/// <summary>Real-time alerts after enrichment (off by default). Bound from <c>Digest:Alerts</c>.</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Digest:Alerts";

    public bool Enabled { get; set; }

    /// <summary>At most this many single-incident alerts per channel per <see cref="Interval"/>; the rest go into one roll-up message.</summary>
    public int MaxPerInterval { get; set; } = 5;

    /// <summary>Length of a roll-up interval; intervals are aligned to the Unix epoch in UTC.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>An incident whose first hit is older than this when enrichment finishes is not "new" (no alert on first enabling, or after a long backlog).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Incidents listed by name in a roll-up message; the rest are counted.</summary>
    public int RollupListed { get; set; } = 10;
}
