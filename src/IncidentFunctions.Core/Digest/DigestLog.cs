using Microsoft.Extensions.Logging;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>Digest and alert log lines (EventIds 1500–1599). Channels are named, their URLs never logged.</summary>
internal static partial class DigestLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Digest of {Day} is due since {DueAt:o}; {Channels} channel(s) still to deliver")]
    public static partial void DayDue(ILogger logger, LocalDate day, DateTimeOffset dueAt, int channels);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "{What} delivered to channel '{Channel}' ({Kind}) in {Attempts} attempt(s), delivery {DeliveryId}: {Shown} incident(s) listed, {Omitted} more counted, {Bytes} bytes")]
    public static partial void Delivered(ILogger logger, string what, string channel, ChannelKind kind, int attempts, string deliveryId, int shown, int omitted, int bytes);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "{What} not delivered to channel '{Channel}' ({Kind}) after {Attempts} attempt(s), delivery {DeliveryId}: {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string what, string channel, ChannelKind kind, int attempts, string deliveryId, string? error);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Error, Message = "{What} to channel '{Channel}' ({Kind}), delivery {DeliveryId}, may or may not have been posted ({Error}); it is not posted again, to avoid a duplicate. Check the channel; the report stays available")]
    public static partial void DeliveryUnknown(ILogger logger, string what, string channel, ChannelKind kind, string deliveryId, string? error);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Critical, Message = "CHANNEL DISABLED: '{Channel}' ({Kind}) failed {Failures} of its last {Deliveries} deliveries within {Window} (threshold {Rate:P0}); nothing more is posted to it. Fix the webhook, then set Digest:Channels:{Index}:Generation to {NextGeneration} to re-enable it")]
    public static partial void ChannelDisabled(ILogger logger, string channel, ChannelKind kind, int failures, int deliveries, TimeSpan window, double rate, int index, int nextGeneration);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Channel '{Channel}' re-enabled by configuration (generation {Previous} → {Generation}); its failure history starts afresh")]
    public static partial void ChannelReEnabled(ILogger logger, string channel, int previous, int generation);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "Channel '{Channel}' is disabled since {DisabledAt:o} ({Reason}); skipped. Set Digest:Channels:{Index}:Generation to {NextGeneration} once it is fixed")]
    public static partial void ChannelSkipped(ILogger logger, string channel, DateTimeOffset? disabledAt, string? reason, int index, int nextGeneration);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Information, Message = "Digest of {Day} to channel '{Channel}' is being delivered by another run (delivery {DeliveryId}, lease until {LeaseUntil:o}); skipped")]
    public static partial void InProgressElsewhere(ILogger logger, LocalDate day, string channel, string deliveryId, DateTimeOffset leaseUntil);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Warning, Message = "POST to channel '{Channel}' ({Host}) {Outcome}; retry {Retry} in {Delay}")]
    public static partial void Retrying(ILogger logger, string channel, string host, string outcome, int retry, TimeSpan delay);

    [LoggerMessage(EventId = 1509, Level = LogLevel.Warning, Message = "The digest of {Day} was never delivered to channel '{Channel}' and is older than Digest:CatchUpDays ({CatchUpDays}); it is skipped (the report stays available)")]
    public static partial void TooOld(ILogger logger, LocalDate day, string channel, int catchUpDays);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Debug, Message = "No channel receives the digest (Digest:Channels); nothing to do")]
    public static partial void NoChannels(ILogger logger);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Warning, Message = "A run stopped while delivering the digest of {Day} to channel '{Channel}' (delivery {DeliveryId}, attempting since {StartedAt:o}); recorded as unknown outcome")]
    public static partial void RecoveredAttempting(ILogger logger, LocalDate day, string channel, string deliveryId, DateTimeOffset startedAt);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Information, Message = "Alerts: {New} new incident(s) of {Seen} enriched; {Sent} alert(s) sent, {RolledUp} held for roll-up")]
    public static partial void AlertsProcessed(ILogger logger, int @new, int seen, int sent, int rolledUp);

    [LoggerMessage(EventId = 1513, Level = LogLevel.Warning, Message = "Alerts: incident rows not found for {Missing} enriched incident(s) (deleted or not yet visible); no alert for them")]
    public static partial void AlertIncidentsMissing(ILogger logger, int missing);

    [LoggerMessage(EventId = 1514, Level = LogLevel.Information, Message = "Digest run done: {Delivered} delivered, {Failed} failed, {Unknown} unknown, {Skipped} skipped")]
    public static partial void RunFinished(ILogger logger, int delivered, int failed, int unknown, int skipped);

    [LoggerMessage(EventId = 1515, Level = LogLevel.Information, Message = "Digest preview for {Day}: {Kind} payload written to {Path} ({Bytes} bytes)")]
    public static partial void PreviewWritten(ILogger logger, LocalDate day, ChannelKind kind, string path, int bytes);
}
