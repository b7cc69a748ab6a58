using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Enriches the source IPs of pulled incidents (malformed messages go to the poison queue inside the service).</summary>
public sealed class EnrichSources(SourceEnricher enricher)
{
    [Function(nameof(EnrichSources))]
    public async Task Run([QueueTrigger($"%{AppSettingNames.EnrichmentQueueName}%")] string message, CancellationToken cancellationToken)
        => await enricher.HandleAsync(message, cancellationToken);
}
