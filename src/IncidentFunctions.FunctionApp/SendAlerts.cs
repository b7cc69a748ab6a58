using IncidentFunctions.Alerts;
using IncidentFunctions.AppModel;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Posts the roll-ups of ended alert intervals and retries alerts that were not delivered (nothing while alerts are off).</summary>
public sealed class SendAlerts(IncidentAlerts alerts)
{
    [Function(nameof(SendAlerts))]
    public async Task Run([TimerTrigger($"%{AppSettingNames.AlertsSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await alerts.DeliverPendingAsync(cancellationToken);
}
