using System.ComponentModel.DataAnnotations;
using IncidentFunctions.Calendar;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Channels;

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

    /// <summary>Email over SMTP (<see cref="ChannelOptions.Email"/>): HTML and plain text, the day's PDF attached. Digest only.</summary>
    Email,
}

/// <summary>One configured channel (<c>Digest:Channels:{index}</c>): a chat webhook, or an email channel.</summary>
public sealed class ChannelOptions
{
    /// <summary>Stable identifier: the ledger and the channel's health are keyed by it. 1–40 of <c>a-z 0-9 - _</c>.</summary>
    public string Name { get; set; } = "";

    public ChannelKind Kind { get; set; } = ChannelKind.Slack;

    /// <summary>The webhook URL (chat kinds). A secret (its path or <c>sig=</c> query grants posting): never logged or shown.</summary>
    public Uri? Url { get; set; }

    /// <summary>Server, sender and recipients of an <see cref="ChannelKind.Email"/> channel.</summary>
    public EmailOptions? Email { get; set; }

    /// <summary>For <see cref="ChannelKind.Generic"/>: the HMAC-SHA256 key receivers verify the signature with (≥ 32 characters).</summary>
    public string? Secret { get; set; }

    /// <summary>Receives the daily digest.</summary>
    public bool Digest { get; set; } = true;

    /// <summary>Receives the weekly digest (opt-in): sent once after each ISO week ends, at the digest's local send time on Monday.</summary>
    public bool Weekly { get; set; }

    /// <summary>Receives the monthly digest (opt-in): sent once after each calendar month ends, at the send time on the 1st.</summary>
    public bool Monthly { get; set; }

    /// <summary>Receives real-time alerts for new incidents (when <c>Digest:Alerts:Enabled</c>).</summary>
    public bool Alerts { get; set; }

    /// <summary>
    /// Bump to re-enable a channel that was disabled automatically: its failure history starts afresh. A channel
    /// disabled under generation N stays disabled until this is greater than N.
    /// </summary>
    public int Generation { get; set; }

    /// <summary>The host a channel delivers to, safe to show (status route, logs): never a URL path, user or password.</summary>
    public string? ServerHost() => Kind == ChannelKind.Email ? Email?.Host : Url?.Host;
}

/// <summary>When a channel is disabled automatically. Bound from <c>Digest:AutoDisable</c>.</summary>
public sealed class AutoDisableOptions
{
    /// <summary>Disable when at least this share of the deliveries in <see cref="Window"/> failed (0 &lt; rate ≤ 1).</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double FailureRate { get; set; } = 0.6;

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true)]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(12);

    /// <summary>No decision on fewer deliveries than this in <see cref="Window"/>.</summary>
    [Range(1, 1000)]
    public int MinDeliveries { get; set; } = 5;
}

/// <summary>
/// The chat channels and how messages reach them (retries, timeouts, auto-disable). Bound from the <c>Digest</c>
/// section, where the channels have always been configured; the digest and the alerts each bind their own settings
/// from the same section.
/// </summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Digest";

    public List<ChannelOptions> Channels { get; set; } = [];

    [ValidateObjectMembers]
    public AutoDisableOptions AutoDisable { get; set; } = new();

    /// <summary>Retries of one webhook POST on 429, 5xx and failures to connect.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; later ones grow exponentially. <c>Retry-After</c> / Discord <c>retry_after</c> wins.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A longer wait asked for by the platform ends the attempt; the next run tries again.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one POST (Wallarm's own webhooks use 15 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Timeout of one delivery including retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ChannelOptions> ChannelsForDigest() => Channels.Where(c => c.Digest);

    /// <summary>Channels that receive any digest: daily, weekly or monthly.</summary>
    public IEnumerable<ChannelOptions> ChannelsForAnyDigest() => Channels.Where(c => c.Digest || c.Weekly || c.Monthly);

    /// <summary>The channels that receive the digest of a day, a week or a month.</summary>
    public IEnumerable<ChannelOptions> ChannelsForDigest(PeriodKind kind) => kind switch
    {
        PeriodKind.Day => ChannelsForDigest(),
        PeriodKind.Week => Channels.Where(c => c.Weekly),
        _ => Channels.Where(c => c.Monthly),
    };

    /// <summary>Channels that asked for alerts; whether alerts are on at all is <c>Digest:Alerts:Enabled</c>.</summary>
    public IEnumerable<ChannelOptions> ChannelsForAlerts() => Channels.Where(c => c.Alerts);

    /// <summary>How long an "attempting" ledger record protects a delivery in progress from a concurrent run.</summary>
    public TimeSpan DeliveryLease => TotalTimeout + TimeSpan.FromMinutes(1);
}
