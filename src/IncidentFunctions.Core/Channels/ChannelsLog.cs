using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Channels;

/// <summary>Delivery log lines (EventIds from the digest range 1500–1599). Channels are named, their URLs never logged.</summary>
internal static partial class ChannelsLog
{
    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "{What} delivered to channel '{Channel}' ({Kind}) in {Attempts} attempt(s), delivery {DeliveryId}: {Shown} incident(s) listed, {Omitted} more counted, {Bytes} bytes")]
    public static partial void Delivered(ILogger logger, string what, string channel, ChannelKind kind, int attempts, string deliveryId, int shown, int omitted, int bytes);

    /// <param name="next">What happens to it now, e.g. "the next digest run tries again".</param>
    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "{What} not delivered to channel '{Channel}' ({Kind}) after {Attempts} attempt(s), delivery {DeliveryId}: {Error}; {Next}")]
    public static partial void DeliveryFailed(ILogger logger, string what, string channel, ChannelKind kind, int attempts, string deliveryId, string? error, string next);

    /// <summary>Slack, Teams and Discord only: a generic receiver deduplicates, so its deliveries are repeated instead (<see cref="DeliveryUnansweredRepeated"/>).</summary>
    /// <param name="fallback">Where the reader still finds the content, e.g. "the report stays available".</param>
    [LoggerMessage(EventId = 1503, Level = LogLevel.Error, Message = "{What} to channel '{Channel}' ({Kind}), delivery {DeliveryId}, may or may not have been posted ({Error}); it is not posted again, to avoid a duplicate. Check the channel; {Fallback}")]
    public static partial void DeliveryUnknown(ILogger logger, string what, string channel, ChannelKind kind, string deliveryId, string? error, string fallback);

    /// <param name="next">Who sends it again, e.g. "the next digest run".</param>
    [LoggerMessage(EventId = 1516, Level = LogLevel.Warning, Message = "{What} to channel '{Channel}' (Generic), delivery {DeliveryId}, was sent but not answered ({Error}); {Next} sends it again under the same delivery id, which the receiver deduplicates on")]
    public static partial void DeliveryUnansweredRepeated(ILogger logger, string what, string channel, string deliveryId, string? error, string next);

    [LoggerMessage(EventId = 1517, Level = LogLevel.Warning, Message = "{What} to channel '{Channel}' (Generic), delivery {DeliveryId}: the run posting it stopped (attempting since {StartedAt:o}) before recording the answer; it is sent again under the same delivery id, which the receiver deduplicates on")]
    public static partial void StoppedRunRepeated(ILogger logger, string what, string channel, string deliveryId, DateTimeOffset startedAt);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Critical, Message = "CHANNEL DISABLED: '{Channel}' ({Kind}) failed {Failures} of its last {Deliveries} deliveries within {Window} (threshold {Rate:P0}); nothing more is posted to it. Fix the webhook, then set Digest:Channels:{Index}:Generation to {NextGeneration} to re-enable it")]
    public static partial void ChannelDisabled(ILogger logger, string channel, ChannelKind kind, int failures, int deliveries, TimeSpan window, double rate, int index, int nextGeneration);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Channel '{Channel}' re-enabled by configuration (generation {Previous} → {Generation}); its failure history starts afresh")]
    public static partial void ChannelReEnabled(ILogger logger, string channel, int previous, int generation);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "Channel '{Channel}' is disabled since {DisabledAt:o} ({Reason}); skipped. Set Digest:Channels:{Index}:Generation to {NextGeneration} once it is fixed")]
    public static partial void ChannelSkipped(ILogger logger, string channel, DateTimeOffset? disabledAt, string? reason, int index, int nextGeneration);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Warning, Message = "POST to channel '{Channel}' ({Host}) {Outcome}; retry {Retry} in {Delay}")]
    public static partial void Retrying(ILogger logger, string channel, string host, string outcome, int retry, TimeSpan delay);

    [LoggerMessage(EventId = 1530, Level = LogLevel.Warning, Message = "Email to channel '{Channel}' ({Host}) not sent: {Outcome}; retry {Retry} in {Delay}")]
    public static partial void EmailRetrying(ILogger logger, string channel, string host, string outcome, int retry, TimeSpan delay);
}
