using Azure.Data.Tables;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Integration)]
public sealed class TableBatchWriterTests(AzuriteFixture azurite)
{
    [Fact]
    public void Plan_ManyRowsAcrossPartitions_KeepsEachTransactionToOnePartitionAndAtMost100()
    {
        var rows = Enumerable.Range(0, 250).Select(i => new TableEntity($"p{i % 3}", $"r{i}")).ToList();

        var batches = TableBatchWriter.Plan(rows, TableUpdateMode.Merge);

        Assert.All(batches, b =>
        {
            Assert.InRange(b.Count, 1, 100);
            Assert.Single(b.Select(a => a.Entity.PartitionKey).Distinct());
        });
        Assert.Equal(250, batches.Sum(b => b.Count));
    }

    [Fact]
    public void Plan_SameRowTwice_KeepsTheLaterOne()
    {
        var batches = TableBatchWriter.Plan([new TableEntity("p", "r") { ["v"] = 1 }, new TableEntity("p", "r") { ["v"] = 2 }], TableUpdateMode.Replace);

        var action = Assert.Single(Assert.Single(batches));
        Assert.Equal(2, ((TableEntity)action.Entity)["v"]);
    }

    [Fact]
    public async Task UpsertAsync_250RowsInOnePartition_AreAllStored()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(UniqueNames.TablePrefix() + "batch");
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);

        var written = await TableBatchWriter.UpsertAsync(table, Enumerable.Range(0, 250).Select(i => new TableEntity("p", $"r{i:D3}")), TableUpdateMode.Merge, 4, TestContext.Current.CancellationToken);

        Assert.Equal(250, written);
        Assert.Equal(250, await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: TestContext.Current.CancellationToken).CountAsync(TestContext.Current.CancellationToken));
    }
}
