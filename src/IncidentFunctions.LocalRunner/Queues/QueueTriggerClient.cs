using Azure.Identity;
using Azure.Storage.Queues;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Queues;

/// <summary>
/// The storage account's queue service without message encoding. The trigger reads message text as stored and decodes
/// base64 itself, so a body that is not base64 is noticed (and poisoned) instead of failing inside the SDK.
/// <see cref="StorageClients.Queues"/> stays the base64 producer side.
/// </summary>
internal sealed class QueueTriggerClient(IOptions<StorageOptions> options)
{
    private readonly Lazy<QueueServiceClient> _service = new(() => Create(options.Value));

    public QueueServiceClient Service => _service.Value;

    private static QueueServiceClient Create(StorageOptions storage)
    {
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            return new QueueServiceClient(storage.ConnectionString, clientOptions);
        }

        var endpoint = storage.QueueServiceUri
            ?? throw new InvalidOperationException("Queue triggers need Storage:ConnectionString or Storage:QueueServiceUri.");
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = storage.ManagedIdentityClientId });
        return new QueueServiceClient(endpoint, credential, clientOptions);
    }
}
