using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Enrichment;

internal static partial class EnrichmentLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Enriched {Sources} source(s) of run {RunId} for tenant {TenantId} into {Days} report day(s): {FromCache} from cache, {LookedUp} looked up (intel {IntelVersion})")]
    public static partial void Enriched(ILogger logger, int sources, string runId, long tenantId, int days, int fromCache, int lookedUp, string intelVersion);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Enrichment message ({Bytes} bytes) is malformed and was moved to {PoisonQueue} unchanged: {Reason}")]
    public static partial void MessagePoisoned(ILogger logger, int bytes, string poisonQueue, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Run {RunId}: source '{Ip}' is not an IP address; it was skipped")]
    public static partial void NotAnAddress(ILogger logger, string runId, string ip);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Run {RunId}: incident {IncidentId} names report day '{Day}', which is not a yyyy-MM-dd date; that day was skipped")]
    public static partial void NotADay(ILogger logger, string runId, string incidentId, string day);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Loaded intel snapshot {Version} ({Sources} source(s), {Segments} segment(s)) in {ElapsedMs} ms; it replaces {Previous}")]
    public static partial void SnapshotLoaded(ILogger logger, string version, int sources, int segments, long elapsedMs, string previous);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Could not check for a newer intel snapshot ({Failure}); enrichment keeps using {Version}")]
    public static partial void SnapshotCheckFailed(ILogger logger, Exception? exception, string failure, string version);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Information, Message = "No intel snapshot is published yet; running the intel refresh now")]
    public static partial void NoSnapshotYet(ILogger logger);

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "Intel refresh starts: {Sources} source(s), last snapshot {Previous}")]
    public static partial void RefreshStarting(ILogger logger, int sources, string previous);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Information, Message = "Intel source {Source}: updated, {Entries} entries, {Invalid} unreadable skipped (dataset {DatasetVersion})")]
    public static partial void SourceUpdated(ILogger logger, string source, int entries, int invalid, string? datasetVersion);

    [LoggerMessage(EventId = 1322, Level = LogLevel.Information, Message = "Intel source {Source}: {Outcome}; keeping the copy from {FetchedAt:o}")]
    public static partial void SourceUnchanged(ILogger logger, string source, IntelFetchOutcome outcome, DateTimeOffset fetchedAt);

    [LoggerMessage(EventId = 1323, Level = LogLevel.Warning, Message = "Intel source {Source} was refused: {Reason}. The last good copy stays in use ({Kept})")]
    public static partial void SourceRefused(ILogger logger, string source, string reason, string kept);

    [LoggerMessage(EventId = 1324, Level = LogLevel.Warning, Message = "Intel source {Source} could not be fetched: {Reason}. The last good copy stays in use ({Kept})")]
    public static partial void SourceFailed(ILogger logger, string source, string reason, string kept);

    [LoggerMessage(EventId = 1325, Level = LogLevel.Information, Message = "Intel source {Source} skipped: optional file {Path} is not installed")]
    public static partial void SourceSkipped(ILogger logger, string source, string path);

    [LoggerMessage(EventId = 1326, Level = LogLevel.Information, Message = "Published intel snapshot {Version} with {Sources} source(s), {Bytes} bytes")]
    public static partial void SnapshotPublished(ILogger logger, string version, int sources, long bytes);

    [LoggerMessage(EventId = 1327, Level = LogLevel.Information, Message = "Intel refresh finished: {Updated} updated, {Kept} unchanged, {Refused} refused, {Failed} failed; current snapshot {Version}")]
    public static partial void RefreshFinished(ILogger logger, int updated, int kept, int refused, int failed, string version);

    [LoggerMessage(EventId = 1328, Level = LogLevel.Warning, Message = "Could not delete old intel snapshot {Blob} ({Failure})")]
    public static partial void PruneFailed(ILogger logger, Exception? exception, string blob, string failure);

    [LoggerMessage(EventId = 1329, Level = LogLevel.Warning, Message = "The published intel snapshot {Version} cannot be read; every source is fetched afresh")]
    public static partial void PreviousUnreadable(ILogger logger, Exception exception, string version);
}
