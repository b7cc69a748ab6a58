using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Enriches the source IPs of pulled incidents, then alerts (malformed messages go to the poison queue inside the job).</summary>
public sealed class EnrichSources(EnrichSourcesJob job)
{
    [Function(nameof(EnrichSources))]
    public async Task Run([QueueTrigger($"%{AppSettingNames.EnrichmentQueueName}%")] string message, CancellationToken cancellationToken)
        => await job.RunAsync(message, cancellationToken);
}
