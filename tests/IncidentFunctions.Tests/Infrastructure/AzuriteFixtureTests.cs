using Azure.Data.Tables;

namespace IncidentFunctions.Tests.Infrastructure;

public sealed class AzuriteFixtureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ConnectionString_WhenUsed_ReachesARunningTableService()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(UniqueNames.TablePrefix() + "probe");
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 }, cancellationToken: TestContext.Current.CancellationToken);
        var row = await table.GetEntityAsync<TableEntity>("p", "r", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(42, row.Value.GetInt32("Value"));
    }
}
