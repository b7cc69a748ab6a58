using IncidentFunctions.Calendar;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Wallarm;

internal static partial class WallarmLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Discovered Wallarm tenant id {ClientId} through /v1/user")]
    public static partial void TenantDiscovered(ILogger logger, long clientId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Fetched incident page {Page} ({Count} records) for window {From:o} – {To:o}")]
    public static partial void PageFetched(ILogger logger, int page, int count, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Wallarm returned an empty page {Page} with a cursor; continuing")]
    public static partial void EmptyCursorPage(ILogger logger, int page);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Fetched {Count} of {Requested} vulnerabilities")]
    public static partial void VulnerabilitiesFetched(ILogger logger, int count, int requested);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "Read {Count} record(s) for {Requested} incident id(s)")]
    public static partial void IncidentsReadById(ILogger logger, int count, int requested);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Wallarm {Endpoint} answered with a cut-off or non-JSON body (attempt {Attempt} of {Attempts}); asking again")]
    public static partial void MalformedAnswerRetried(ILogger logger, Exception exception, string endpoint, int attempt, int attempts);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Wallarm incident page {Page}, record {Index} cannot be stored and is set aside: {Reason}")]
    public static partial void RecordRejected(ILogger logger, int page, int index, string reason);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Wallarm tenant id {ClientId} read from storage, where it was kept when /v1/user first named it for this token")]
    public static partial void TenantRecalled(ILogger logger, long clientId);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "The Wallarm tenant kept for this token could not be read ({Failure}); Wallarm's /v1/user is asked instead")]
    public static partial void TenantNotRecalled(ILogger logger, string failure);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Wallarm tenant id {ClientId} could not be kept in storage ({Failure}); the next process asks /v1/user again")]
    public static partial void TenantNotRemembered(ILogger logger, long clientId, string failure);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Wallarm incident page {Page} of window {Window} kept coming back cut off, unreadable or answered 500 ({Failure}); reading it in parts to find the record that breaks it")]
    public static partial void PageReadInParts(ILogger logger, int page, TimeWindow window, string failure);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "The Wallarm record at offset {Offset} of window {Window} breaks every answer that holds it ({Failure}); skipped, the window's count shows it missing")]
    public static partial void RecordSkipped(ILogger logger, int offset, TimeWindow window, string failure);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Error, Message = "The Wallarm record {Id} breaks every answer that holds it ({Failure}); skipped in the re-read by id")]
    public static partial void RecordSkippedById(ILogger logger, string id, string failure);
}
