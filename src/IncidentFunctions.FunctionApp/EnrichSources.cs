using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>
/// Enriches the source IPs of pulled incidents, then alerts (malformed messages go to the poison queue inside the job).
/// Bound as bytes, not a string: the host then hands over the decoded bytes unchanged, where a string would have
/// replaced invalid UTF-8 before the job could poison the message as it came.
/// </summary>
public sealed class EnrichSources(EnrichSourcesJob job)
{
    [Function(nameof(EnrichSources))]
    public async Task Run([QueueTrigger($"%{AppSettingNames.EnrichmentQueueName}%")] byte[] message, CancellationToken cancellationToken)
        => await job.RunAsync(BinaryData.FromBytes(message), cancellationToken);
}
