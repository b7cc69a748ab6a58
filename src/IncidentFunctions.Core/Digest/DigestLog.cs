using IncidentFunctions.Channels;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Digest;

/// <summary>Digest log lines (EventIds 1500–1599, shared with the channels and alerts).</summary>
internal static partial class DigestLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Digest of {Period} is due since {DueAt:o}; {Channels} channel(s) still to deliver")]
    public static partial void PeriodDue(ILogger logger, string period, DateTimeOffset dueAt, int channels);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Information, Message = "Digest of {Period} to channel '{Channel}' is being delivered by another run (delivery {DeliveryId}, lease until {LeaseUntil:o}); skipped")]
    public static partial void InProgressElsewhere(ILogger logger, string period, string channel, string deliveryId, DateTimeOffset leaseUntil);

    [LoggerMessage(EventId = 1509, Level = LogLevel.Warning, Message = "The digest of {Period} was never delivered to channel '{Channel}' and is older than Digest:CatchUpDays ({CatchUpDays}); it is skipped (the report stays available)")]
    public static partial void TooOld(ILogger logger, string period, string channel, int catchUpDays);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Debug, Message = "No channel receives the digest (Digest:Channels); nothing to do")]
    public static partial void NoChannels(ILogger logger);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Warning, Message = "A run stopped while delivering the digest of {Period} to channel '{Channel}' (delivery {DeliveryId}, attempting since {StartedAt:o}); recorded as unknown outcome")]
    public static partial void RecoveredAttempting(ILogger logger, string period, string channel, string deliveryId, DateTimeOffset startedAt);

    [LoggerMessage(EventId = 1514, Level = LogLevel.Information, Message = "Digest run done: {Delivered} delivered, {Failed} failed, {Unknown} unknown, {Skipped} skipped")]
    public static partial void RunFinished(ILogger logger, int delivered, int failed, int unknown, int skipped);

    [LoggerMessage(EventId = 1515, Level = LogLevel.Information, Message = "Digest preview for {Day}: {Kind} payload written to {Path} ({Bytes} bytes)")]
    public static partial void PreviewWritten(ILogger logger, string day, ChannelKind kind, string path, int bytes);
}
