namespace IncidentFunctions.Digest;

/// <summary>Which chat platform (payload format) a channel speaks.</summary>
public enum ChannelKind
{
    /// <summary>Slack incoming webhook: Block Kit plus a plain <c>text</c> fallback.</summary>
    Slack,

    /// <summary>Microsoft Teams Workflows ("Send webhook alerts to a channel"): an Adaptive Card 1.4 in a message envelope.</summary>
    Teams,

    /// <summary>Discord webhook: embeds, mentions disabled.</summary>
    Discord,

    /// <summary>Any HTTPS receiver: the documented JSON schema (docs/webhook-schema.md), HMAC-SHA256 signed.</summary>
    Generic,
}

/// <summary>One configured chat webhook (<c>Digest:Channels:{index}</c>).</summary>
public sealed class DigestChannelOptions
{
    /// <summary>Stable identifier: the ledger and the channel's health are keyed by it. 1–40 of <c>a-z 0-9 - _</c>.</summary>
    public string Name { get; set; } = "";

    public ChannelKind Kind { get; set; } = ChannelKind.Slack;

    /// <summary>The webhook URL. A secret (its path or <c>sig=</c> query grants posting): never logged or shown.</summary>
    public Uri? Url { get; set; }

    /// <summary>For <see cref="ChannelKind.Generic"/>: the HMAC-SHA256 key receivers verify the signature with (≥ 32 characters).</summary>
    public string? Secret { get; set; }

    /// <summary>Receives the daily digest.</summary>
    public bool Digest { get; set; } = true;

    /// <summary>Receives real-time alerts for new incidents (when <see cref="AlertOptions.Enabled"/>).</summary>
    public bool Alerts { get; set; }

    /// <summary>
    /// Bump to re-enable a channel that was disabled automatically: its failure history starts afresh. A channel
    /// disabled under generation N stays disabled until this is greater than N.
    /// </summary>
    public int Generation { get; set; }
}

/// <summary>Real-time alerts after enrichment (off by default). Bound from <c>Digest:Alerts</c>.</summary>
public sealed class AlertOptions
{
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

/// <summary>When a channel is disabled automatically. Bound from <c>Digest:AutoDisable</c>.</summary>
public sealed class AutoDisableOptions
{
    /// <summary>Disable when at least this share of the deliveries in <see cref="Window"/> failed (0 &lt; rate ≤ 1).</summary>
    public double FailureRate { get; set; } = 0.6;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(12);

    /// <summary>No decision on fewer deliveries than this in <see cref="Window"/>.</summary>
    public int MinDeliveries { get; set; } = 5;
}

/// <summary>The daily digest, alerts and chat delivery. Bound from the <c>Digest</c> section.</summary>
public sealed class DigestOptions
{
    public const string SectionName = "Digest";

    /// <summary>Heading of the digest message.</summary>
    public string Title { get; set; } = "Daily incident digest";

    /// <summary>NCRONTAB (6 fields, UTC) of the digest timer; bound from the <c>DAILY_DIGEST_SCHEDULE</c> app setting the trigger reads.</summary>
    public string Schedule { get; set; } = "0 */15 * * * *";

    /// <summary>Local time (report zone, <c>Reports:TimeZone</c>) after which yesterday's digest is sent, <c>HH:mm</c>.</summary>
    public string SendTime { get; set; } = "08:00";

    /// <summary>
    /// How many days back a run still sends a digest that was missed (outage, failing channel): 1 sends only
    /// yesterday's. Older days are skipped with a warning; their reports stay available.
    /// </summary>
    public int CatchUpDays { get; set; } = 3;

    /// <summary>How long the signed report link in a digest works; at most <c>Reports:MaxSignedLinkLifetime</c>.</summary>
    public TimeSpan LinkValidity { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Incidents listed in a digest (by hits); the rest are counted with "N more in the report".</summary>
    public int TopIncidents { get; set; } = 5;

    public List<DigestChannelOptions> Channels { get; set; } = [];

    public AlertOptions Alerts { get; set; } = new();

    public AutoDisableOptions AutoDisable { get; set; } = new();

    /// <summary>Retries of one webhook POST on 429, 5xx and failures to connect.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; later ones grow exponentially. <c>Retry-After</c> / Discord <c>retry_after</c> wins.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A longer wait asked for by the platform ends the attempt; the next run tries again.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one POST (Wallarm's own webhooks use 15 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Timeout of one delivery including retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<DigestChannelOptions> ChannelsForDigest() => Channels.Where(c => c.Digest);

    public IEnumerable<DigestChannelOptions> ChannelsForAlerts() => Alerts.Enabled ? Channels.Where(c => c.Alerts) : [];

    /// <summary>How long an "attempting" ledger record protects a delivery in progress from a concurrent run.</summary>
    public TimeSpan DeliveryLease => TotalTimeout + TimeSpan.FromMinutes(1);
}
