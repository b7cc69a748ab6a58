using System.Collections.Concurrent;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Storage;

/// <summary>
/// The app's storage service clients (thread-safe singletons). Tables, queues and blob containers are created on first
/// use, once per process.
/// Queue clients encode messages as base64, matching host.json's <c>messageEncoding</c> and the queue trigger.
/// </summary>
public sealed class StorageClients
{
    private readonly StorageOptions _options;
    private readonly TokenCredential? _credential;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _containers = new(StringComparer.Ordinal);

    public StorageClients(IOptions<StorageOptions> options)
    {
        _options = options.Value;
        if (string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            _credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = _options.ManagedIdentityClientId,
            });
            Tables = new TableServiceClient(_options.TableServiceUri!, _credential);
            Blobs = new BlobServiceClient(_options.BlobServiceUri!, _credential);
        }
        else
        {
            Tables = new TableServiceClient(_options.ConnectionString);
            Blobs = new BlobServiceClient(_options.ConnectionString);
        }

        Queues = CreateQueueService(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues { get; }

    public BlobServiceClient Blobs { get; }

    public StorageOptions Options => _options;

    /// <summary>
    /// Another client for the same queue service and credential with its own <paramref name="clientOptions"/>, e.g. the
    /// local runner's queue trigger, which reads message text undecoded.
    /// </summary>
    public QueueServiceClient CreateQueueService(QueueClientOptions clientOptions)
        => _credential is null
            ? new QueueServiceClient(_options.ConnectionString, clientOptions)
            : new QueueServiceClient(_options.QueueServiceUri!, _credential, clientOptions);

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
