using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Integration)]
public sealed class IntelSnapshotStoreTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetLatestAndStatus_ListsWrittenAsNull_ReadAsEmpty()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var store = app.Get<IntelSnapshotStore>();
        var storage = app.Get<IncidentFunctions.Storage.StorageClients>();
        var container = await storage.GetContainerAsync(store.ContainerName, Ct);
        await container.GetBlobClient(IntelSnapshotStore.LatestBlob).UploadAsync(
            BinaryData.FromString("""{"version":"v1","blob":"snapshots/v1.bin","createdAt":"2026-11-20T00:00:00Z","sources":null,"attributions":null}"""), overwrite: true, Ct);
        await container.GetBlobClient(IntelSnapshotStore.StatusBlob).UploadAsync(
            BinaryData.FromString("""{"lastRunAt":"2026-11-20T00:00:00Z","currentVersion":"v1","sources":null}"""), overwrite: true, Ct);

        var latest = await store.GetLatestAsync(Ct);
        var status = await store.GetStatusAsync(Ct);

        Assert.Equal("v1", latest!.Version);
        Assert.Empty(latest.Sources);
        Assert.Empty(latest.Attributions);
        Assert.Equal("v1", status!.CurrentVersion);
        Assert.Empty(status.Sources);
    }

    [Fact]
    public async Task PublishAsync_OldSnapshotCannotBeDeleted_PublishesLogsItAndPrunesItNextTime()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Enrichment:SnapshotsKept"] = "1" });
        var deletes = new RefusedConnection { Refusing = true, Only = m => m.Request.Method == RequestMethod.Delete };
        var shared = app.Get<StorageClients>();
        var storage = new StorageClients(Options.Create(shared.Options), shared.Tables, shared.Queues,
            new BlobServiceClient(app.ConnectionString, deletes.Install(new BlobClientOptions())), app.Services.GetRequiredService<IAzureClientFactory<QueueServiceClient>>());
        var store = new IntelSnapshotStore(storage, app.Get<IOptions<EnrichmentOptions>>(), app.Get<ILogger<IntelSnapshotStore>>());
        var at = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

        foreach (var version in new[] { "v1", "v2", "v3" }) await store.PublishAsync(new IntelSnapshot(version, at, []), Ct); // v3 prunes v1: refused

        Assert.Equal("v3", (await store.GetLatestAsync(Ct))!.Version);
        var failed = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1328);
        Assert.Null(failed.Exception); // every retry refused, as in an outage: said in words, no stack trace
        Assert.Contains("snapshots/v1.bin", failed.Message, StringComparison.Ordinal);
        Assert.Contains("attempts failed, the last: ", failed.Message, StringComparison.Ordinal);

        deletes.Refusing = false;
        await store.PublishAsync(new IntelSnapshot("v4", at, []), Ct);

        var container = await shared.GetContainerAsync(store.ContainerName, Ct);
        var left = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "snapshots/" }, Ct)) left.Add(blob.Name);
        Assert.Equal(["snapshots/v3.bin", "snapshots/v4.bin"], left.Order(StringComparer.Ordinal));
    }
}
