using System.Text;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Incidents;

/// <summary>
/// Producer side of the enrichment queue. Packs sources into as few messages as the 64 KiB queue limit allows:
/// bodies are gzip-compressed JSON (<see cref="EnrichmentRequestSerializer.Encode"/>) of at most 48,000 bytes, which
/// base64 grows to 64,000 characters.
/// </summary>
public sealed class EnrichmentPublisher(StorageClients storage, IOptions<StorageOptions> options)
{
    internal const int MaxBodyBytes = 48_000;

    /// <summary>
    /// JSON packed into one body before compression: typically 30–40 KB once compressed; a body that compresses worse
    /// (ids without a common prefix) is halved until it fits, and the consumer's inflate limit is four times this.
    /// </summary>
    internal const int MaxJsonBytes = 256 * 1024;

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
            async (body, ct) => await queue.SendMessageAsync(body, cancellationToken: ct).ConfigureAwait(false)).ConfigureAwait(false);
        return bodies.Count;
    }

    /// <summary>Splits sources (and a source's incident list, when long) into message bodies within the limits.</summary>
    internal static List<BinaryData> Pack(long tenantId, string runId, DateTimeOffset createdAt, IReadOnlyList<EnrichmentSource> sources)
    {
        var pieces = sources.SelectMany(s => s.Incidents.Count <= MaxIncidentsPerSource
            ? [s]
            : s.Incidents.Chunk(MaxIncidentsPerSource).Select(c => s with { Incidents = c }));

        var envelopeBytes = Encoding.UTF8.GetByteCount(EnrichmentRequestSerializer.Serialize(Request(tenantId, runId, createdAt, [])));
        var bodies = new List<BinaryData>();
        var current = new List<EnrichmentSource>();
        var currentBytes = envelopeBytes;
        foreach (var piece in pieces)
        {
            // Sized one piece at a time (plus a separating comma) so packing stays linear.
            var pieceBytes = EnrichmentRequestSerializer.SerializedSize(piece) + 1;
            if (current.Count > 0 && (currentBytes + pieceBytes > MaxJsonBytes || current.Count >= MaxSourcesPerMessage))
            {
                AddEncoded(bodies, tenantId, runId, createdAt, current);
                current = [];
                currentBytes = envelopeBytes;
            }

            current.Add(piece);
            currentBytes += pieceBytes;
        }

        if (current.Count > 0) AddEncoded(bodies, tenantId, runId, createdAt, current);
        return bodies;
    }

    private static void AddEncoded(List<BinaryData> bodies, long tenantId, string runId, DateTimeOffset createdAt, List<EnrichmentSource> pieces)
    {
        var body = EnrichmentRequestSerializer.Encode(Request(tenantId, runId, createdAt, pieces));
        if (body.ToMemory().Length <= MaxBodyBytes || pieces.Count == 1)
        {
            bodies.Add(body);
            return;
        }

        var half = pieces.Count / 2;
        AddEncoded(bodies, tenantId, runId, createdAt, pieces[..half]);
        AddEncoded(bodies, tenantId, runId, createdAt, pieces[half..]);
    }

    private static EnrichmentRequest Request(long tenantId, string runId, DateTimeOffset createdAt, List<EnrichmentSource> sources)
        => new() { TenantId = tenantId, RunId = runId, CreatedAt = createdAt, Sources = [.. sources] };
}
