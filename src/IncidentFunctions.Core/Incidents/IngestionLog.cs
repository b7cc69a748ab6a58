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

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Window {Window}: Wallarm counted {Expected} incident(s) but the pages held {Received}; reading the window once more")]
    public static partial void WindowShort(ILogger logger, TimeWindow window, long expected, int received);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Report time zone changed from {Previous} to {Current}; days pulled before were filed under {Previous} days")]
    public static partial void TimeZoneChanged(ILogger logger, string previous, string current);
}
