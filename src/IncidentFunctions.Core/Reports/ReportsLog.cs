using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Reports;

internal static partial class ReportsLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Generated the report of {Day} ({Reason}): {Incidents} incident(s), {Pages} page(s), {Bytes} bytes in {ElapsedMs} ms")]
    public static partial void Generated(ILogger logger, string day, string reason, int incidents, int pages, int bytes, long elapsedMs);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "The stored report of {Day} (generated {GeneratedAt:o}) is current")]
    public static partial void ServedFromCache(ILogger logger, string day, DateTimeOffset generatedAt);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Refused a shared report link for {Path}: {Reason}")]
    public static partial void SignedLinkRefused(ILogger logger, string path, SignatureCheck reason);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Debug, Message = "Report request for an invalid date segment (length {Length})")]
    public static partial void BadDate(ILogger logger, int length);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "The report of {Day} could not be served: storage is unavailable ({Failure}); answered 503")]
    public static partial void StorageUnavailable(ILogger logger, Exception? exception, string day, string failure);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "The report of {Day} could not be served: its tenant is asked of Wallarm (Wallarm__ClientId is not set) and Wallarm did not answer ({Failure}); answered 503")]
    public static partial void TenantUnknown(ILogger logger, string day, string failure);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Information, Message = "Exported {Period} as CSV: {Rows} row(s) in {ElapsedMs} ms")]
    public static partial void Exported(ILogger logger, string period, long rows, long elapsedMs);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Error, Message = "The CSV export of {Period} failed after it started; the connection was aborted")]
    public static partial void ExportFailed(ILogger logger, Exception exception, string period);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Information, Message = "Generated the report of {Period} ({Reason}): {Incidents} incident(s), {Pages} page(s), {Bytes} bytes in {ElapsedMs} ms")]
    public static partial void GeneratedPeriod(ILogger logger, string period, string reason, int incidents, int pages, int bytes, long elapsedMs);
    [LoggerMessage(EventId = 1409, Level = LogLevel.Warning, Message = "The report archive could not be served: storage is unavailable ({Failure}); answered 503")]
    public static partial void ArchiveStorageUnavailable(ILogger logger, Exception? exception, string failure);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Debug, Message = "Report warm-up rendered {Pages} page(s) {Renders} time(s) in {ElapsedMs} ms")]
    public static partial void WarmedUp(ILogger logger, int pages, int renders, long elapsedMs);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "Report warm-up failed; the first report request pays the start-up costs instead")]
    public static partial void WarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1418, Level = LogLevel.Warning, Message = "Report storage warm-up failed (tenant, the latest day's checks, or reading the most recent day with rows); the first report request opens the connections instead")]
    public static partial void StorageWarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1423, Level = LogLevel.Warning, Message = "Report storage warm-up could not reach a service ({Failure}); the first report request tries again")]
    public static partial void StorageWarmUpUnreachable(ILogger logger, string failure);

    [LoggerMessage(EventId = 1419, Level = LogLevel.Debug, Message = "Report warm-up read {Day} from storage: a model of {Incidents} incident(s) built and dropped, in {ElapsedMs} ms")]
    public static partial void WarmedUpFromStorage(ILogger logger, string day, int incidents, long elapsedMs);

    [LoggerMessage(EventId = 1420, Level = LogLevel.Debug, Message = "Report storage warm-up stopped: a report was asked for")]
    public static partial void StorageWarmUpStopped(ILogger logger);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "The CSV snapshot of {Day} could not be read ({Failure}); the day is exported from the table")]
    public static partial void CsvSnapshotUnreadable(ILogger logger, Exception? exception, string day, string failure);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Warning, Message = "The CSV snapshot of {Day} could not be saved; the export goes on from the table and the next one reads the table again")]
    public static partial void CsvSnapshotNotSaved(ILogger logger, Exception exception, string day);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Information, Message = "Wrote the CSV snapshot of {Day} ahead of its export: {Rows} row(s) in {ElapsedMs} ms")]
    public static partial void CsvSnapshotWritten(ILogger logger, string day, long rows, long elapsedMs);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Warning, Message = "The CSV snapshot of {Day} could not be written ahead of its export ({Failure}); its next export reads the table and the next run tries again")]
    public static partial void CsvSnapshotDayFailed(ILogger logger, Exception? exception, string day, string failure);

    [LoggerMessage(EventId = 1416, Level = LogLevel.Information, Message = "CSV snapshots of {First} to {Last}: {Written} written, {UpToDate} up to date, {Failed} failed, {Unmarked} never written (nothing to snapshot)")]
    public static partial void CsvSnapshotRun(ILogger logger, string first, string last, int written, int upToDate, int failed, int unmarked);

    [LoggerMessage(EventId = 1417, Level = LogLevel.Debug, Message = "CSV snapshots ahead of export are off (Reports:CsvSnapshotLookBackDays is 0)")]
    public static partial void CsvSnapshotsOff(ILogger logger);

    [LoggerMessage(EventId = 1421, Level = LogLevel.Warning, Message = "The report logo {Blob} is not used: {Reason}. Reports are drawn without it until the file is replaced")]
    public static partial void LogoRefused(ILogger logger, string blob, string reason);

    // No stack trace: only storage trouble lands here (StorageFailure.IsUnavailable), and the report that follows says it too.
    [LoggerMessage(EventId = 1422, Level = LogLevel.Warning, Message = "The report logo {Blob} could not be read ({Failure}); reports keep the logo read before, if any, and it is read again later")]
    public static partial void LogoUnreadable(ILogger logger, string blob, string failure);
}
