using IncidentFunctions.Channels;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Alerts;

/// <summary>Alert log lines (EventIds from the digest range 1500–1599).</summary>
internal static partial class AlertsLog
{
    [LoggerMessage(EventId = 1512, Level = LogLevel.Information, Message = "Alerts: {New} new incident(s) of {Seen} enriched; {Sent} alert(s) sent, {RolledUp} held for roll-up")]
    public static partial void AlertsProcessed(ILogger logger, int @new, int seen, int sent, int rolledUp);

    [LoggerMessage(EventId = 1513, Level = LogLevel.Warning, Message = "Alerts: incident rows not found for {Missing} enriched incident(s) (deleted or not yet visible); no alert for them")]
    public static partial void AlertIncidentsMissing(ILogger logger, int missing);

    [LoggerMessage(EventId = 1518, Level = LogLevel.Warning, Message = "Alert to channel '{Channel}', delivery {DeliveryId}, was recorded at {RecordedAt:o} but not posted (the run that recorded it stopped, or the channel was not taking posts); posting it now")]
    public static partial void RecordedNotPosted(ILogger logger, string channel, string? deliveryId, DateTimeOffset recordedAt);

    [LoggerMessage(EventId = 1519, Level = LogLevel.Error, Message = "Alert to channel '{Channel}' ({Kind}), delivery {DeliveryId}, recorded at {RecordedAt:o}, was not delivered within Digest:Alerts:MaxAge ({MaxAge}) and is given up (last error: {Error}); the daily digest and report list the incident")]
    public static partial void AlertExpired(ILogger logger, string channel, ChannelKind kind, string? deliveryId, DateTimeOffset recordedAt, TimeSpan maxAge, string? error);

    [LoggerMessage(EventId = 1520, Level = LogLevel.Warning, Message = "Alert to channel '{Channel}', delivery {DeliveryId}, could not be delivered since {FirstAttempt:o} (last error: {Error}); it goes into the roll-up of the interval from {IntervalStart:o}")]
    public static partial void AlertFolded(ILogger logger, string channel, string? deliveryId, DateTimeOffset firstAttempt, string? error, DateTimeOffset intervalStart);

    [LoggerMessage(EventId = 1521, Level = LogLevel.Error, Message = "Alert roll-up of {Count} incident(s) to channel '{Channel}' ({Kind}), delivery {DeliveryId}, for {IntervalStart:o}–{IntervalEnd:o}, was not delivered within Digest:Alerts:MaxAge ({MaxAge}) and is given up (last error: {Error}); the daily digest and report list the incidents")]
    public static partial void RollupExpired(ILogger logger, int count, string channel, ChannelKind kind, string deliveryId, DateTimeOffset intervalStart, DateTimeOffset intervalEnd, TimeSpan maxAge, string? error);

    [LoggerMessage(EventId = 1522, Level = LogLevel.Information, Message = "{Count} alert(s) to channel '{Channel}' wait for the next alerts run: the channel did not take the one before")]
    public static partial void AlertsWaiting(ILogger logger, int count, string channel);

    [LoggerMessage(EventId = 1523, Level = LogLevel.Error, Message = "Alert to channel '{Channel}' for incident row {RowKey}, recorded at {RecordedAt:o}, cannot be read back from the alert ledger; it is given up (the daily digest and report list the incident)")]
    public static partial void AlertUnreadable(ILogger logger, string channel, string rowKey, DateTimeOffset recordedAt);
}
