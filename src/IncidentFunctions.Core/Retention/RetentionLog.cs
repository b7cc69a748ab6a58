using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Retention;

internal static partial class RetentionLog
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Retention: deleted {Rows} table row(s) of days before {DataCutoff} and {Blobs} stored report(s) and CSV snapshot(s) of periods starting before {ReportCutoff}, and {CacheRows} expired enrichment cache row(s); {Skipped} name(s) not understood and kept, {Failed} store(s) failed")]
    public static partial void Run(ILogger logger, string dataCutoff, string reportCutoff, int rows, int blobs, int cacheRows, int skipped, int failed);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Retention could not clean '{Store}' ({Failure}); the next run tries again")]
    public static partial void StoreFailed(ILogger logger, Exception? exception, string store, string failure);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Retention kept '{Name}' in '{Store}': its name holds no report day or period")]
    public static partial void NameNotUnderstood(ILogger logger, string store, string name);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "Retention stopped at its run budget ({Budget}); the next run goes on where it stopped")]
    public static partial void StoppedAtBudget(ILogger logger, TimeSpan budget);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Retention is off (Retention:Enabled is false): nothing is deleted")]
    public static partial void Off(ILogger logger);
}
