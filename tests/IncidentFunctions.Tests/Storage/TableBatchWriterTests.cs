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

    [Fact]
    public async Task UpsertAsync_RowsWithLongEscapedText_AreAllStoredInTransactionsUnderTheBodyLimit()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(UniqueNames.TablePrefix() + "batch");
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        // Quarantined raw JSON or a title full of markup: JSON escapes each '<' as six bytes, so 100 of these rows would
        // make an 18 MB transaction, which the service and Azurite refuse (413) on every retry.
        var text = new string('<', 30_000);
        var rows = Enumerable.Range(0, 100).Select(i => new TableEntity("p", $"r{i:D3}") { ["Raw"] = text }).ToList();

        var batches = TableBatchWriter.Plan(rows, TableUpdateMode.Replace);
        var written = await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, 4, TestContext.Current.CancellationToken);

        Assert.True(batches.Count > 1, "one transaction would be too large");
        Assert.All(batches, b => Assert.InRange(b.Sum(a => TableBatchWriter.MaxPayloadBytes(a.Entity)), 1, TableBatchWriter.MaxTransactionBytes));
        Assert.Equal(100, written);
        Assert.Equal(100, await table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: TestContext.Current.CancellationToken).CountAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("plain ascii text")]
    [InlineData("<script>alert('x')</script>&\"")]
    [InlineData("\u0001\u001f control")]
    [InlineData("Ünïcødé 漢字 😀 \ud800")]
    public void MaxPayloadBytes_AnyText_IsAtLeastItsJsonAndKeys(string value)
    {
        var text = string.Concat(Enumerable.Repeat(value, 200));
        var entity = new TableEntity("tenant-20261119", "attack:" + text[..50]) { ["Path"] = text, ["Hits"] = 3L };

        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(entity.ToDictionary(p => p.Key, p => p.Value));
        var url = Uri.EscapeDataString(entity.PartitionKey).Length + Uri.EscapeDataString(entity.RowKey).Length;

        Assert.True(TableBatchWriter.MaxPayloadBytes(entity) >= json.Length + url, $"{TableBatchWriter.MaxPayloadBytes(entity)} < {json.Length} + {url}");
    }

    [Fact]
    public void MaxPayloadBytes_EntityClass_CountsItsStringProperties()
    {
        var shortRow = new TestRow { PartitionKey = "p", RowKey = "r", Text = "x" };
        var longRow = new TestRow { PartitionKey = "p", RowKey = "r", Text = new string('x', 10_000) };

        Assert.True(TableBatchWriter.MaxPayloadBytes(longRow) - TableBatchWriter.MaxPayloadBytes(shortRow) >= 6 * 9_999);
        Assert.Equal(TableBatchWriter.MaxPayloadBytes(longRow), TableBatchWriter.MaxPayloadBytes<ITableEntity>(longRow));
    }

    private sealed class TestRow : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public Azure.ETag ETag { get; set; }

        public string? Text { get; set; }
    }
}
