using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Storage;

/// <summary>
/// The app's storage service clients (thread-safe singletons, registered through <c>AddAzureClients</c> by
/// <see cref="StorageServiceCollectionExtensions"/>: a connection string locally, the service URIs with the app's one
/// credential in Azure). Tables, queues and blob containers are created on first use, once per process.
/// <see cref="Queues"/> encodes messages as base64, matching host.json's <c>messageEncoding</c> and the queue trigger.
/// </summary>
public sealed class StorageClients(
    IOptions<StorageOptions> options,
    TableServiceClient tables,
    QueueServiceClient queues,
    BlobServiceClient blobs,
    IAzureClientFactory<QueueServiceClient> queueClients)
{
    /// <summary>The named queue service client that reads and writes message text as stored.</summary>
    internal const string UndecodedQueuesName = "Undecoded";

    private readonly StorageOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _containers = new(StringComparer.Ordinal);

    public TableServiceClient Tables { get; } = tables;

    public QueueServiceClient Queues { get; } = queues;

    public BlobServiceClient Blobs { get; } = blobs;

    /// <summary>
    /// The same queue service, account and credential as <see cref="Queues"/>, without base64: the local runner's queue
    /// trigger reads message text as stored and decodes it itself.
    /// </summary>
    public QueueServiceClient UndecodedQueues => queueClients.CreateClient(UndecodedQueuesName);

    public StorageOptions Options => _options;

    /// <summary>The table (with the configured prefix), created if missing.</summary>
    public Task<TableClient> GetTableAsync(string table, CancellationToken cancellationToken = default)
    {
        var name = _options.FullTableName(table);
        var lazy = _tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(async () =>
        {
            var client = Tables.GetTableClient(n);
            await client.CreateIfNotExistsAsync(CancellationToken.None).ConfigureAwait(false);
            return client;
        }));
        return AwaitOrReset(_tables, name, lazy, cancellationToken);
    }

    /// <summary>The queue, created if missing. Its poison companion is created alongside.</summary>
    public Task<QueueClient> GetQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        var lazy = _queues.GetOrAdd(queue, n => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = Queues.GetQueueClient(n);
            await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return client;
        }));
        return AwaitOrReset(_queues, queue, lazy, cancellationToken);
    }

    /// <summary>The blob container (name used as given), created if missing.</summary>
    public Task<BlobContainerClient> GetContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        var lazy = _containers.GetOrAdd(container, n => new Lazy<Task<BlobContainerClient>>(async () =>
        {
            var client = Blobs.GetBlobContainerClient(n);
            await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return client;
        }));
        return AwaitOrReset(_containers, container, lazy, cancellationToken);
    }

    private static async Task<T> AwaitOrReset<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Lazy<Task<T>> lazy, CancellationToken cancellationToken)
    {
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            // A failed creation (storage down) must not be cached for the life of the process.
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, lazy));
            throw;
        }
    }
}
