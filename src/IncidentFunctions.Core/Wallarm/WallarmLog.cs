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
}
