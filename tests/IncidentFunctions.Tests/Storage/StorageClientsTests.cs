using Azure.Core;
using Azure.Data.Tables;
using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Storage;

/// <summary>The storage clients as AddStorage registers them through AddAzureClients: which account, which credential.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class StorageClientsTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static ServiceProvider Services(Dictionary<string, string?> settings, TokenCredential? credential = null)
    {
        var services = new ServiceCollection();
        if (credential is not null) services.AddSingleton(credential);
        services.AddStorage(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddStorage_ConnectionString_UsesTheAccountWithoutACredential()
    {
        var credential = new RefusingCredential();
        var built = 0;
        var collection = new ServiceCollection();
        collection.AddSingleton<TokenCredential>(_ =>
        {
            Interlocked.Increment(ref built);
            return credential;
        });
        collection.AddStorage(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:ConnectionString"] = azurite.ConnectionString }).Build());
        await using var services = collection.BuildServiceProvider();
        var clients = services.GetRequiredService<StorageClients>();
        var queue = UniqueNames.Queue("plain");

        var table = await clients.GetTableAsync("t" + Guid.NewGuid().ToString("N")[..12], Ct);
        await (await clients.GetQueueAsync(queue, Ct)).SendMessageAsync("hello", Ct);
        await clients.GetContainerAsync("c" + Guid.NewGuid().ToString("N")[..12], Ct);

        Assert.Equal(AzuriteProcess.AccountName, clients.Tables.AccountName);
        Assert.Equal(AzuriteProcess.AccountName, clients.Blobs.AccountName);
        Assert.Empty(credential.Scopes);
        Assert.Equal(0, built); // a connection string never needs it: DefaultAzureCredential would load MSAL for nothing
        Assert.Same(clients.Tables, services.GetRequiredService<TableServiceClient>());
        await table.DeleteAsync(Ct);
        await clients.Queues.DeleteQueueAsync(queue, Ct);
    }

    [Fact]
    public async Task UndecodedQueues_SameAccountAsQueues_ReadsTheBase64TheProducerWrote()
    {
        await using var services = Services(new() { ["Storage:ConnectionString"] = azurite.ConnectionString });
        var clients = services.GetRequiredService<StorageClients>();
        var queue = UniqueNames.Queue("undecoded");
        await (await clients.GetQueueAsync(queue, Ct)).SendMessageAsync("hello", Ct);

        var raw = (await clients.UndecodedQueues.GetQueueClient(queue).ReceiveMessageAsync(cancellationToken: Ct)).Value;

        Assert.Equal(clients.Queues.Uri, clients.UndecodedQueues.Uri);
        Assert.NotSame(clients.Queues, clients.UndecodedQueues);
        Assert.Same(clients.UndecodedQueues, clients.UndecodedQueues);
        Assert.Equal(Convert.ToBase64String("hello"u8), raw.MessageText);
        await clients.Queues.DeleteQueueAsync(queue, Ct);
    }

    /// <summary>Notes the type of each response body as the SDK's own policies see it.</summary>
    private sealed class BodySpy : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        public List<Type?> Bodies { get; } = [];

        public override void OnReceivedResponse(HttpMessage message)
        {
            lock (Bodies) Bodies.Add(message.Response.ContentStream?.GetType());
        }
    }

    [Fact]
    public async Task Tables_PagesBeyondTheLargeObjectThreshold_ReadInChunksAndIntact()
    {
        var spy = new BodySpy();
        var services = new ServiceCollection();
        services.AddStorage(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:ConnectionString"] = azurite.ConnectionString }).Build());
        services.Configure<TableClientOptions>("Default", o => o.AddPolicy(spy, HttpPipelinePosition.PerRetry));
        await using var provider = services.BuildServiceProvider();
        var table = await provider.GetRequiredService<StorageClients>().GetTableAsync("t" + Guid.NewGuid().ToString("N")[..12], Ct);
        var rows = Enumerable.Range(0, 600).Select(i => new TableEntity("p", i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)) { ["Text"] = new string((char)('a' + (i % 26)), 2_000) }).ToList();
        foreach (var batch in rows.Chunk(100)) await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), Ct);
        spy.Bodies.Clear();

        var read = await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: Ct).ToListAsync(Ct);
        var readSynchronously = table.Query<TableEntity>(e => e.PartitionKey == "p", cancellationToken: Ct).ToList();
        var missing = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => table.GetEntityAsync<TableEntity>("p", "none", cancellationToken: Ct));

        Assert.Equal(rows.Select(r => (r.RowKey, r.GetString("Text"))), read.Select(r => (r.RowKey, r.GetString("Text"))));
        Assert.Equal(rows.Select(r => (r.RowKey, r.GetString("Text"))), readSynchronously.Select(r => (r.RowKey, r.GetString("Text"))));
        Assert.Equal(404, missing.Status);
        Assert.Equal("ResourceNotFound", missing.ErrorCode);
        Assert.NotEmpty(spy.Bodies);
        Assert.All(spy.Bodies, body => Assert.Equal(typeof(ChunkedMemoryStream), body));
        await table.DeleteAsync(Ct);
    }

    [Fact]
    public async Task AddStorage_ServiceUris_EveryClientAuthenticatesWithTheOneCredential()
    {
        var credential = new RefusingCredential();
        await using var services = Services(new()
        {
            ["Storage:TableServiceUri"] = "https://account.table.core.windows.net/",
            ["Storage:QueueServiceUri"] = "https://account.queue.core.windows.net/",
            ["Storage:BlobServiceUri"] = "https://account.blob.core.windows.net/",
        }, credential);
        var clients = services.GetRequiredService<StorageClients>();

        await Assert.ThrowsAsync<RefusedTokenException>(() => clients.Tables.GetPropertiesAsync(Ct));
        await Assert.ThrowsAsync<RefusedTokenException>(() => clients.Queues.GetPropertiesAsync(Ct));
        await Assert.ThrowsAsync<RefusedTokenException>(() => clients.UndecodedQueues.GetPropertiesAsync(Ct));
        await Assert.ThrowsAsync<RefusedTokenException>(() => clients.Blobs.GetPropertiesAsync(Ct));

        Assert.Equal(4, credential.Scopes.Count);
        Assert.All(credential.Scopes, scope => Assert.Equal("https://storage.azure.com/.default", scope));
        Assert.Equal("account", clients.Tables.AccountName);
        Assert.Equal(new Uri("https://account.queue.core.windows.net/"), clients.UndecodedQueues.Uri);
    }

    [Fact]
    public async Task AddStorage_NoCredentialRegistered_BuildsOneDefaultAzureCredentialForAllClients()
    {
        await using var services = Services(new()
        {
            ["Storage:TableServiceUri"] = "https://account.table.core.windows.net/",
            ["Storage:QueueServiceUri"] = "https://account.queue.core.windows.net/",
            ["Storage:BlobServiceUri"] = "https://account.blob.core.windows.net/",
        });

        Assert.NotNull(services.GetRequiredService<StorageClients>().UndecodedQueues);
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(services.GetRequiredService<TokenCredential>());
        Assert.Same(services.GetRequiredService<TokenCredential>(), services.GetRequiredService<TokenCredential>());
    }

    [Theory]
    [InlineData("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "11111111-1111-1111-1111-111111111111")]
    [InlineData(null, "22222222-2222-2222-2222-222222222222", "22222222-2222-2222-2222-222222222222")]
    [InlineData(" ", " 22222222-2222-2222-2222-222222222222 ", "22222222-2222-2222-2222-222222222222")]
    public void CredentialOptions_StorageSettingThenAzureClientId_NameTheIdentity(string? storageSetting, string azureClientId, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AppSettingNames.AzureClientId] = azureClientId }).Build();

        var options = StorageServiceCollectionExtensions.CredentialOptions(new StorageOptions { ManagedIdentityClientId = storageSetting }, configuration);

        Assert.Equal(expected, options.ManagedIdentityClientId);
    }

    [Fact]
    public void CredentialOptions_NoIdentityConfigured_KeepsWhatTheEnvironmentSays()
    {
        var options = StorageServiceCollectionExtensions.CredentialOptions(new StorageOptions(), new ConfigurationBuilder().Build());

        Assert.Equal(new Azure.Identity.DefaultAzureCredentialOptions().ManagedIdentityClientId, options.ManagedIdentityClientId);
    }

    [Fact]
    public void AddIncidentFunctions_StorageAndTelemetry_ShareOneCredential()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "t",
            ["Storage:TableServiceUri"] = "https://account.table.core.windows.net/",
            ["Storage:QueueServiceUri"] = "https://account.queue.core.windows.net/",
            ["Storage:BlobServiceUri"] = "https://account.blob.core.windows.net/",
            [AppSettingNames.ApplicationInsightsConnectionString] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://ingest.invalid/",
            [AppSettingNames.ApplicationInsightsAuthenticationString] = "ClientId=3f2504e0-4f89-11d3-9a0c-0305e82c3301;Authorization=AAD",
        });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        var credential = host.Services.GetRequiredService<TokenCredential>();
        var exporter = host.Services.GetRequiredService<IOptionsMonitor<Azure.Monitor.OpenTelemetry.Exporter.AzureMonitorExporterOptions>>().Get(Options.DefaultName);

        Assert.Same(credential, exporter.Credential);
        // The identity the telemetry setting names is the storage identity too when no storage setting names one.
        Assert.Equal("3f2504e0-4f89-11d3-9a0c-0305e82c3301", host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.ManagedIdentityClientId);
    }
}
