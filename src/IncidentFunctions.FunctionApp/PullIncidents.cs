using IncidentFunctions.AppModel;
using IncidentFunctions.Incidents;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Pulls new and updated incidents from Wallarm into Table storage.</summary>
public sealed class PullIncidents(IncidentPuller puller)
{
    [Function(nameof(PullIncidents))]
    public async Task Run([TimerTrigger($"%{AppSettingNames.PullIncidentsSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await puller.RunAsync(cancellationToken);
}
