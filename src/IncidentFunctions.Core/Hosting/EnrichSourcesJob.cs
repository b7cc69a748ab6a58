using IncidentFunctions.Alerts;
using IncidentFunctions.Enrichment;

namespace IncidentFunctions.Hosting;

/// <summary>
/// The <c>EnrichSources</c> queue job: enrich the message's sources, then (when alerts are on) alert on the new
/// incidents among them. Alerts go out only after the sources are stored, so they carry country, type and lists; the
/// alert ledger makes a redelivered message alert nothing twice.
/// </summary>
public sealed class EnrichSourcesJob(SourceEnricher enricher, IncidentAlerts alerts)
{
    public Task<EnrichmentResult> RunAsync(string message, CancellationToken cancellationToken = default)
        => RunAsync(BinaryData.FromString(message), cancellationToken);

    /// <param name="message">The message's bytes as the queue trigger decoded them.</param>
    public async Task<EnrichmentResult> RunAsync(BinaryData message, CancellationToken cancellationToken = default)
    {
        var result = await enricher.HandleAsync(message, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == EnrichmentOutcome.Enriched)
        {
            await alerts.NotifyEnrichedAsync(result.TenantId, result.Incidents, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }
}
