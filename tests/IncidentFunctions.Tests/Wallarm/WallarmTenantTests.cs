using Azure.Data.Tables;
using Azure.Storage.Queues;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Wallarm;

[Trait("Category", TestCategories.Integration)]
public sealed class WallarmTenantTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A tenant as a newly started process has it: nothing discovered in memory yet.</summary>
    private static WallarmTenant NewProcess(AppHarness app, StorageClients? storage = null)
        => new(app.Get<IOptions<WallarmOptions>>(), storage ?? app.Get<StorageClients>(), app.Get<ILogger<WallarmTenant>>());

    [Fact]
    public async Task GetClientIdAsync_DiscoveredByAnEarlierProcess_IsReadFromStorageWhileWallarmIsDown()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.ClientId = 77);
        Assert.Equal(77, await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct));
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Endpoint = "user", Times = 0 });

        using var restarted = NewProcess(app);
        var tenant = await restarted.GetClientIdAsync(app.Get<WallarmClient>(), Ct);

        Assert.Equal(77, tenant);
        Assert.Single(app.Simulator.Requests.For("/v1/user")); // the first process's question only
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1107 && r.Message.Contains("77", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetClientIdAsync_NothingKeptAndWallarmDown_FailsAndAsksAgainNextTime()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.ClientId = 77);
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Endpoint = "user", Times = 0 });
        var tenant = app.Get<WallarmTenant>();

        await Assert.ThrowsAsync<WallarmApiException>(() => tenant.GetClientIdAsync(app.Get<WallarmClient>(), Ct));
        app.Simulator.Faults.Clear();

        Assert.Equal(77, await tenant.GetClientIdAsync(app.Get<WallarmClient>(), Ct));
    }

    [Fact]
    public async Task GetClientIdAsync_StorageUnreachable_AsksWallarmAndSaysWhyInOneLine()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.ClientId = 77);
        var refused = new RefusedConnection { Refusing = true };
        var shared = app.Get<StorageClients>();
        var storage = new StorageClients(Options.Create(shared.Options), new TableServiceClient(app.ConnectionString, refused.Install(new TableClientOptions())),
            shared.Queues, shared.Blobs, app.Services.GetRequiredService<IAzureClientFactory<QueueServiceClient>>());

        using var tenant = NewProcess(app, storage);

        Assert.Equal(77, await tenant.GetClientIdAsync(app.Get<WallarmClient>(), Ct));
        Assert.Single(app.Simulator.Requests.For("/v1/user"));
        var logs = app.Logs.GetSnapshot();
        var notRecalled = Assert.Single(logs, r => r.Id.Id == 1108);
        Assert.Null(notRecalled.Exception);
        Assert.Contains("Connection refused (test)", notRecalled.Message, StringComparison.Ordinal);
        Assert.Single(logs, r => r.Id.Id == 1109 && r.Exception is null);
    }

    [Fact]
    public async Task GetClientIdAsync_ATenantConfigured_NeitherAsksNorKeepsAnything()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ClientId"] = "5" });

        Assert.Equal(5, await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct));

        var table = await app.Get<StorageClients>().GetTableAsync(app.Get<StorageClients>().Options.CheckpointsTable, Ct);
        Assert.Empty(await table.QueryAsync<TableEntity>(TableKeys.PartitionFilter(WallarmTenant.Partition), cancellationToken: Ct).ToListAsync(Ct));
        Assert.Empty(app.Simulator.Requests.All);
    }

    [Theory]
    [InlineData("FAKE-another-token", "US")]
    [InlineData("FAKE-token", "EU")]
    public void Fingerprint_AnotherTokenOrCloud_IsAnotherRowAndNeverHoldsTheToken(string token, string cloud)
    {
        var first = new WallarmOptions { ApiToken = "FAKE-token", Cloud = "US" };
        var other = new WallarmOptions { ApiToken = token, Cloud = cloud };

        var (a, b) = (WallarmTenant.Fingerprint(first), WallarmTenant.Fingerprint(other));

        Assert.NotEqual(a, b);
        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.Equal(a, WallarmTenant.Fingerprint(new WallarmOptions { ApiToken = "FAKE-token", Cloud = "US" }));
    }
}
