using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Alerts;

/// <summary>Alert log lines (EventIds from the digest range 1500–1599).</summary>
internal static partial class AlertsLog
{
    [LoggerMessage(EventId = 1512, Level = LogLevel.Information, Message = "Alerts: {New} new incident(s) of {Seen} enriched; {Sent} alert(s) sent, {RolledUp} held for roll-up")]
    public static partial void AlertsProcessed(ILogger logger, int @new, int seen, int sent, int rolledUp);

    [LoggerMessage(EventId = 1513, Level = LogLevel.Warning, Message = "Alerts: incident rows not found for {Missing} enriched incident(s) (deleted or not yet visible); no alert for them")]
    public static partial void AlertIncidentsMissing(ILogger logger, int missing);
}
