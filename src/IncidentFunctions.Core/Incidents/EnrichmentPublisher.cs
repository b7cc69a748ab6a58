using System.Text;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Incidents;

/// <summary>
/// Producer side of the enrichment queue. Packs sources into as few messages as the 64 KiB queue limit allows
/// (base64 grows a body by a third, so bodies stay under 45,000 bytes of JSON).
/// </summary>
public sealed class EnrichmentPublisher(StorageClients storage, IOptions<StorageOptions> options)
{
    internal const int MaxBodyBytes = 45_000;
    internal const int MaxSourcesPerMessage = 250;
    internal const int MaxIncidentsPerSource = 50;

    public string QueueName => options.Value.EnrichmentQueueName;

    /// <summary>Sends the sources; returns the number of messages sent.</summary>
    public async Task<int> SendAsync(long tenantId, string runId, DateTimeOffset createdAt, IReadOnlyList<EnrichmentSource> sources, CancellationToken cancellationToken = default)
    {
        if (sources.Count == 0) return 0;
        var queue = await storage.GetQueueAsync(QueueName, cancellationToken).ConfigureAwait(false);
        var bodies = Pack(tenantId, runId, createdAt, sources);
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (body, ct) => await queue.SendMessageAsync(body, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return bodies.Count;
    }

    /// <summary>Splits sources (and a source's incident list, when long) into message bodies within the limits.</summary>
    internal static List<string> Pack(long tenantId, string runId, DateTimeOffset createdAt, IReadOnlyList<EnrichmentSource> sources)
    {
        var pieces = sources.SelectMany(s => s.Incidents.Count <= MaxIncidentsPerSource
            ? [s]
            : s.Incidents.Chunk(MaxIncidentsPerSource).Select(c => s with { Incidents = c }));

        var envelopeBytes = Encoding.UTF8.GetByteCount(Serialize(tenantId, runId, createdAt, []));
        var bodies = new List<string>();
        var current = new List<EnrichmentSource>();
        var currentBytes = envelopeBytes;
        foreach (var piece in pieces)
        {
            // Sized one piece at a time (plus a separating comma) so packing stays linear.
            var pieceBytes = EnrichmentRequestSerializer.SerializedSize(piece) + 1;
            if (current.Count > 0 && (currentBytes + pieceBytes > MaxBodyBytes || current.Count >= MaxSourcesPerMessage))
            {
                bodies.Add(Serialize(tenantId, runId, createdAt, current));
                current = [];
                currentBytes = envelopeBytes;
            }

            current.Add(piece);
            currentBytes += pieceBytes;
        }

        if (current.Count > 0) bodies.Add(Serialize(tenantId, runId, createdAt, current));
        return bodies;
    }

    private static string Serialize(long tenantId, string runId, DateTimeOffset createdAt, List<EnrichmentSource> sources)
        => EnrichmentRequestSerializer.Serialize(new EnrichmentRequest { TenantId = tenantId, RunId = runId, CreatedAt = createdAt, Sources = [.. sources] });
}
