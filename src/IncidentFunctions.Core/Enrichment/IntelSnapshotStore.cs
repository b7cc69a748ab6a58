using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Enrichment;

/// <summary>What one refresh did with a source.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntelFetchOutcome>))]
public enum IntelFetchOutcome
{
    /// <summary>New content, parsed and accepted.</summary>
    Updated,

    /// <summary>The server answered 304 (or the file did not change): the last good copy stays.</summary>
    NotModified,

    /// <summary>Downloaded again, byte for byte the same as the last good copy.</summary>
    Unchanged,

    /// <summary>Downloaded but refused (unparseable, empty, implausible size, shrunk too much): the last good copy stays.</summary>
    Refused,

    /// <summary>Could not be fetched (HTTP error, timeout, missing file): the last good copy stays.</summary>
    Failed,

    /// <summary>An optional file that is not installed.</summary>
    Skipped,
}

/// <summary>The pointer to the current snapshot (<c>latest.json</c>). Written after the snapshot blob, so it never points at a missing one.</summary>
public sealed record IntelLatest
{
    public required string Version { get; init; }

    public required string Blob { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    // Null in the file reads as empty: one bad field must not stop enrichment and the status page.
    public IReadOnlyList<IntelSourceInfo> Sources { get; init => field = value ?? []; } = [];

    public IReadOnlyList<string> Attributions { get; init => field = value ?? []; } = [];
}

/// <summary>A source's last refresh as operators see it (<c>status.json</c> in the snapshot container).</summary>
public sealed record IntelSourceStatus
{
    public required string Name { get; init; }

    public required string Location { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public IntelFetchOutcome? Outcome { get; init; }

    /// <summary>Why the last attempt was refused or failed.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset? LastGoodAt { get; init; }

    public int LastGoodEntries { get; init; }

    public string? LastGoodDatasetVersion { get; init; }

    public string? ETag { get; init; }

    public DateTimeOffset? LastModified { get; init; }
}

/// <summary>The last refresh run and every source's state: the record that makes a refused list visible.</summary>
public sealed record IntelStatus
{
    public DateTimeOffset? LastRunAt { get; init; }

    public string? CurrentVersion { get; init; }

    public IReadOnlyList<IntelSourceStatus> Sources { get; init => field = value ?? []; } = [];
}

/// <summary>
/// Snapshots in Blob storage: <c>snapshots/{version}.bin</c>, the pointer <c>latest.json</c> and <c>status.json</c>, in
/// the container <c>Storage:TablePrefix + Enrichment:SnapshotContainer</c> (lowercased), so side-by-side installs
/// and tests sharing an account keep apart as their tables do.
/// </summary>
public sealed class IntelSnapshotStore(StorageClients storage, IOptions<EnrichmentOptions> options, ILogger<IntelSnapshotStore> logger)
{
    public const string LatestBlob = "latest.json";
    public const string StatusBlob = "status.json";
    private const string SnapshotPrefix = "snapshots/";

    public string ContainerName => (storage.Options.TablePrefix + options.Value.SnapshotContainer).ToLowerInvariant();

    public async Task<IntelLatest?> GetLatestAsync(CancellationToken cancellationToken = default)
        => await ReadJsonAsync(LatestBlob, IntelJsonContext.Default.IntelLatest, cancellationToken).ConfigureAwait(false);

    public async Task<IntelStatus?> GetStatusAsync(CancellationToken cancellationToken = default)
        => await ReadJsonAsync(StatusBlob, IntelJsonContext.Default.IntelStatus, cancellationToken).ConfigureAwait(false);

    public async Task SaveStatusAsync(IntelStatus status, CancellationToken cancellationToken = default)
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(StatusBlob).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(status, IntelJsonContext.Default.IntelStatus)), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IntelSnapshot> LoadAsync(IntelLatest latest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(latest);
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var download = await container.GetBlobClient(latest.Blob).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var stream = download.Value.Content;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        return IntelSnapshotSerializer.Read(buffer);
    }

    /// <summary>Uploads the snapshot, then moves <c>latest.json</c> to it, then prunes old snapshots. Returns the blob size.</summary>
    public async Task<long> PublishAsync(IntelSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        var bytes = IntelSnapshotSerializer.ToBytes(snapshot);
        var blob = SnapshotPrefix + snapshot.Version + ".bin";
        await container.GetBlobClient(blob).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, cancellationToken).ConfigureAwait(false);
        var latest = new IntelLatest
        {
            Version = snapshot.Version,
            Blob = blob,
            CreatedAt = snapshot.CreatedAt,
            Sources = snapshot.Sources.Select(s => s.Info).ToList(),
            Attributions = snapshot.Attributions,
        };
        await container.GetBlobClient(LatestBlob).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(latest, IntelJsonContext.Default.IntelLatest)), overwrite: true, cancellationToken).ConfigureAwait(false);
        await PruneAsync(container, blob, cancellationToken).ConfigureAwait(false);
        return bytes.Length;
    }

    private async Task PruneAsync(BlobContainerClient container, string current, CancellationToken cancellationToken)
    {
        var snapshots = new List<(string Name, DateTimeOffset Created)>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = SnapshotPrefix }, cancellationToken).ConfigureAwait(false))
        {
            if (item.Name != current) snapshots.Add((item.Name, item.Properties.CreatedOn ?? DateTimeOffset.MinValue));
        }

        foreach (var (name, _) in snapshots.OrderByDescending(s => s.Created).ThenByDescending(s => s.Name, StringComparer.Ordinal).Skip(options.Value.SnapshotsKept))
        {
            try
            {
                await container.DeleteBlobIfExistsAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailure.IsUnavailable(ex))
            {
                // An enrichment instance may still be downloading it; pruning is housekeeping.
                EnrichmentLog.PruneFailed(logger, StorageFailure.StackFor(ex), name, FailureText.Describe(ex));
            }
        }
    }

    private async Task<T?> ReadJsonAsync<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var container = await ContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(content.Value.Content.ToMemory().Span, type);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken) => storage.GetContainerAsync(ContainerName, cancellationToken);
}
