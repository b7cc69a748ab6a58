using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.SectionName)
            .Configure(o =>
            {
                o.EnrichmentQueueName = configuration[AppSettingNames.EnrichmentQueueName] is { Length: > 0 } q ? q : o.EnrichmentQueueName;
                if (string.IsNullOrWhiteSpace(o.ConnectionString) && o.TableServiceUri is null
                    && configuration[AppSettingNames.AzureWebJobsStorage] is { } hostStorage && LooksLikeConnectionString(hostStorage))
                {
                    o.ConnectionString = hostStorage;
                }
            });

        // The app's one Entra ID credential: every Azure client below and the telemetry exporter (Operations) use it.
        // Built on first use, so a connection string (Azurite, dev) never creates one; replaceable (TryAdd) by a host.
        services.TryAddSingleton<TokenCredential>(sp => new DefaultAzureCredential(CredentialOptions(Storage(sp), configuration)));

        // The clients read StorageOptions when first resolved, not here: the local runner sets the Azurite connection
        // string after composition (DevStorage).
        services.AddAzureClients(clients =>
        {
            // The client factory asks for a credential for every client, even one built from a connection string.
            clients.UseCredential(sp => new DeferredTokenCredential(() => sp.GetRequiredService<TokenCredential>()));
            clients.AddClient<TableServiceClient, TableClientOptions>((o, credential, sp) => ConnectionString(sp) is { } cs
                ? new TableServiceClient(cs, o)
                : new TableServiceClient(Storage(sp).TableServiceUri!, credential, o))
                .ConfigureOptions(o => o.AddPolicy(new ChunkedResponseBodyPolicy(), HttpPipelinePosition.BeforeTransport));
            clients.AddClient<QueueServiceClient, QueueClientOptions>(Queues)
                .ConfigureOptions(o => o.MessageEncoding = QueueMessageEncoding.Base64);
            clients.AddClient<QueueServiceClient, QueueClientOptions>(Queues)
                .WithName(StorageClients.UndecodedQueuesName)
                .ConfigureOptions(o => o.MessageEncoding = QueueMessageEncoding.None);
            clients.AddClient<BlobServiceClient, BlobClientOptions>((o, credential, sp) => ConnectionString(sp) is { } cs
                ? new BlobServiceClient(cs, o)
                : new BlobServiceClient(Storage(sp).BlobServiceUri!, credential, o));
        });

        // AddAzureClients forwards the Azure SDK's own event logs. Every request and response is Information there and
        // the 404s and 409s the code expects (point reads, CreateIfNotExists) are Warnings; real failures reach the
        // code as exceptions and are logged by it.
        services.AddLogging(logging => logging.AddFilter("Azure.Core", LogLevel.Error).AddFilter("Azure.", LogLevel.Warning));
        services.TryAddSingleton<StorageClients>();
        services.TryAddSingleton<DayChangeMarks>();
        return services;
    }

    /// <summary>
    /// The user-assigned identity the app's credential signs in as: <c>Storage:ManagedIdentityClientId</c>, else
    /// <c>AZURE_CLIENT_ID</c>; null for the system-assigned identity (or, off Azure, the developer's sign-in).
    /// </summary>
    internal static string? ManagedIdentityClientId(StorageOptions storage, IConfiguration configuration)
        => new[] { storage.ManagedIdentityClientId, configuration[AppSettingNames.AzureClientId] }.FirstOrDefault(id => !string.IsNullOrWhiteSpace(id))?.Trim();

    internal static DefaultAzureCredentialOptions CredentialOptions(StorageOptions storage, IConfiguration configuration)
    {
        var options = new DefaultAzureCredentialOptions();
        // Only when known: assigning null would also drop the AZURE_CLIENT_ID the options read from the environment.
        if (ManagedIdentityClientId(storage, configuration) is { } clientId) options.ManagedIdentityClientId = clientId;
        return options;
    }

    private static StorageOptions Storage(IServiceProvider services) => services.GetRequiredService<IOptions<StorageOptions>>().Value;

    /// <summary>The connection string when one is configured; it takes precedence over the service URIs.</summary>
    private static string? ConnectionString(IServiceProvider services)
        => Storage(services).ConnectionString is { } connectionString && !string.IsNullOrWhiteSpace(connectionString) ? connectionString : null;

    private static QueueServiceClient Queues(QueueClientOptions options, TokenCredential credential, IServiceProvider services)
        => ConnectionString(services) is { } cs
            ? new QueueServiceClient(cs, options)
            : new QueueServiceClient(Storage(services).QueueServiceUri!, credential, options);

    private static bool LooksLikeConnectionString(string value)
        => value.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
           || value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase);
}
