using IncidentFunctions.Calendar;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Incidents;

internal static partial class IngestionLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Pull {RunId} for tenant {TenantId} starts at {From:o} ({Windows} window(s) up to {To:o})")]
    public static partial void RunStarting(ILogger logger, string runId, long tenantId, DateTimeOffset from, int windows, DateTimeOffset to);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Pulled window {Window}: {Incidents} incident(s), {Rows} row(s), {Sources} source(s) in {Messages} message(s)")]
    public static partial void WindowPulled(ILogger logger, TimeWindow window, int incidents, int rows, int sources, int messages);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Pull {RunId} finished: {Outcome}, {Incidents} incident(s) in {Windows} window(s); checkpoint now {PulledUntil:o}")]
    public static partial void RunFinished(ILogger logger, string runId, PullOutcome outcome, int incidents, int windows, DateTimeOffset? pulledUntil);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Pull {RunId} stopped after {Elapsed} (budget {Budget}); {Remaining} window(s) left for the next run")]
    public static partial void BudgetExhausted(ILogger logger, string runId, TimeSpan elapsed, TimeSpan budget, int remaining);

    [LoggerMessage(EventId = 1218, Level = LogLevel.Warning, Message = "Pull {RunId} was stopped by its host before it finished (shutdown, scale-in, deployment or timeout); the checkpoint stays at {PulledUntil:o} and the next run resumes from there")]
    public static partial void RunStopped(ILogger logger, string runId, DateTimeOffset? pulledUntil);

    [LoggerMessage(EventId = 1219, Level = LogLevel.Warning, Message = "Window {Window}: Wallarm counted {Expected} incident(s) but {Passes} passes over its pages held {Received}; reading its two halves instead")]
    public static partial void WindowSplit(ILogger logger, TimeWindow window, long expected, int received, int passes);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Warning, Message = "Window {Window}: Wallarm refused to page past {Pages} page(s) ({Failure}); reading its two halves instead")]
    public static partial void WindowPagingRefused(ILogger logger, TimeWindow window, int pages, string failure);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Error, Message = "Window {Window}: Wallarm counted {Expected} incident(s) but its pages held {Received}, in {Runs} runs in a row; taken as read, the difference filed as unreadable records")]
    public static partial void WindowAcceptedShort(ILogger logger, TimeWindow window, long expected, int received, int runs);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Pull {RunId} failed; the checkpoint stays at {PulledUntil:o} and the next run retries from there")]
    public static partial void RunFailed(ILogger logger, Exception exception, string runId, DateTimeOffset? pulledUntil);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Checkpoint {Checkpoint:o} is older than Ingestion:MaxCatchUp; pulling from {From:o}. Older hours stay missing from coverage")]
    public static partial void CatchUpClamped(ILogger logger, DateTimeOffset checkpoint, DateTimeOffset from);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Incident {IncidentId} spans {Days} report days; it is filed under the latest {Max} only")]
    public static partial void IncidentTooLong(ILogger logger, string incidentId, int days, int max);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Wallarm returned {Count} attack(s) without a vulnerability id in an incident query; they were skipped")]
    public static partial void NonIncidentsSkipped(ILogger logger, int count);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Could not refresh {Count} security issue(s); reports show their ids until a later run succeeds")]
    public static partial void VulnerabilityRefreshFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 1222, Level = LogLevel.Information, Message = "Window {Window}, filed with unreadable records, read again: whole ({Received} of {Expected}), its unreadable records are resolved")]
    public static partial void UnreadWindowRecovered(ILogger logger, TimeWindow window, int received, long expected);

    [LoggerMessage(EventId = 1223, Level = LogLevel.Warning, Message = "Window {Window}, filed with unreadable records, read again: still short ({Received} of {Expected}); read again in {Interval}")]
    public static partial void UnreadWindowStillShort(ILogger logger, TimeWindow window, int received, long expected, TimeSpan interval);

    [LoggerMessage(EventId = 1224, Level = LogLevel.Warning, Message = "Windows filed with unreadable records could not be read again ({Failure}); read again in {Interval}")]
    public static partial void UnreadRecheckFailed(ILogger logger, string failure, TimeSpan interval);

    [LoggerMessage(EventId = 1225, Level = LogLevel.Warning, Message = "Window {Window}: Wallarm counted {Expected} incident(s) but its pages held {Received}; {Filed} unreadable record(s) filed from an overlapping window stand for them, taken as read")]
    public static partial void WindowShortAlreadyFiled(ILogger logger, TimeWindow window, long expected, int received, int filed);

    [LoggerMessage(EventId = 1226, Level = LogLevel.Warning, Message = "Window {Window}: Wallarm counted {Expected} incident(s) but its pages held {Received}; {Broken} listed record(s) broke every answer holding them and explain the difference, taken as read at once ({Filed} filed as unreadable, the rest already filed for a window next to it)")]
    public static partial void WindowShortByBrokenRecords(ILogger logger, TimeWindow window, long expected, int received, int broken, long filed);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Window {Window}: Wallarm counted {Expected} incident(s) after paging but the passes so far held {Received} distinct; reading the window again")]
    public static partial void WindowShort(ILogger logger, TimeWindow window, long expected, int received);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Report time zone changed from {Previous} to {Current}; days pulled before were filed under {Previous} days")]
    public static partial void TimeZoneChanged(ILogger logger, string previous, string current);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "{Pending} of {Asked} security issue(s) could not be fetched ({Reason}); they stay pending and later runs ask again with back-off")]
    public static partial void VulnerabilitiesPending(ILogger logger, int pending, int asked, string reason);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Window {Window}: {Count} Wallarm record(s) could not be stored and went to the quarantine; the window completes without them")]
    public static partial void RecordsQuarantined(ILogger logger, TimeWindow window, int count);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Information, Message = "{Count} quarantined record(s) arrived well-formed and were stored; their quarantine entries are resolved")]
    public static partial void QuarantineResolved(ILogger logger, int count);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Warning, Message = "Wallarm's time filter was seen to match incidents by '{Meaning}' (before: '{Previous}'); ongoing incidents are kept current by re-reading them by id either way")]
    public static partial void TimeFilterDetected(ILogger logger, string meaning, string previous);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Warning, Message = "Wallarm's time filter gave mixed evidence in window {Window}: {Matched} incident(s) that started earlier were returned, {Missed} were not; keeping '{Meaning}'")]
    public static partial void TimeFilterMixed(ILogger logger, TimeWindow window, int matched, int missed, string meaning);

    [LoggerMessage(EventId = 1216, Level = LogLevel.Information, Message = "Re-read {Ids} ongoing incident(s) by id: {Changed} changed, {Missing} not returned")]
    public static partial void OngoingRefreshed(ILogger logger, int ids, int changed, int missing);

    [LoggerMessage(EventId = 1217, Level = LogLevel.Warning, Message = "Run budget spent before re-reading {Ids} ongoing incident(s) by id; the next run re-reads them")]
    public static partial void OngoingRefreshSkipped(ILogger logger, int ids);
}
