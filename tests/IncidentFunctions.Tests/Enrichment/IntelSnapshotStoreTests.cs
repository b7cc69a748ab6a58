using IncidentFunctions.Enrichment;
using IncidentFunctions.Tests.Infrastructure;

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
}
