using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Downloads the configured intel sources and publishes a new snapshot when something changed.</summary>
public sealed class RefreshIntel(IntelRefresher refresher)
{
    [Function(nameof(RefreshIntel))]
    public async Task Run([TimerTrigger($"%{AppSettingNames.RefreshIntelSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await refresher.RunAsync(cancellationToken);
}
