using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using IncidentFunctions.Enrichment;
using IncidentFunctions.LocalRunner.DevServices;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>
/// Azurite CPU per table request of the kinds the source profile cache could use, on a cache table of 20,000 rows in
/// its 64 partitions: point reads (hit, miss), single-row writes, transactions, and <c>RowKey eq … or …</c> queries.
/// Azurite (one Node process) is what saturates first in the enrichment benchmarks. Verb: <c>azurite-costs</c>.
/// </summary>
internal static class AzuriteCosts
{
    private const int Concurrency = 16;

    public static async Task<int> RunAsync()
    {
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from the repository.");
        await using var azurite = await AzuriteProcess.StartAsync(root);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("costs");
        await table.CreateIfNotExistsAsync();
        var random = new Random(1);
        string Address() => string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 223)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}");
        var entry = new string('x', 600);
        TableEntity Row(string ip) => new(SourceProfileCache.PartitionKeyOf(ip), ip) { ["Entry"] = entry, ["IntelVersion"] = "v1", ["EnrichedAt"] = DateTimeOffset.UtcNow };

        async Task MeasureAsync(string name, int count, Func<int, Task> operation)
        {
            var cpu = azurite.ProcessorTime;
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) => await operation(i));
            cpu = azurite.ProcessorTime - cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-48} {count,5} x: wall {watch.ElapsedMilliseconds,6} ms, Azurite CPU {cpu.TotalMilliseconds * 1000 / count,7:N0} us each"));
        }

        async Task QueryAsync(string[] keys)
        {
            var filter = $"PartitionKey eq '{SourceProfileCache.PartitionKeyOf(keys[0])}' and (" + string.Join(" or ", keys.Select(k => $"RowKey eq '{k}'")) + ")";
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["Entry"])) { }
        }

        var stored = Enumerable.Range(0, 20_000).Select(_ => Address()).Distinct(StringComparer.Ordinal).ToList();
        var fill = stored.Select(Row).GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100)).ToList();
        await MeasureAsync("transaction of ~80-100 upserts (per transaction)", fill.Count, i => table.SubmitTransactionAsync(fill[i].Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r))));
        var absent = Enumerable.Range(0, 4_000).Select(_ => Address()).Except(stored).ToList();
        await MeasureAsync("point read, no row (404)", 2_000, i => table.GetEntityIfExistsAsync<TableEntity>(SourceProfileCache.PartitionKeyOf(absent[i]), absent[i], ["Entry"]));
        await MeasureAsync("point read, row found", 2_000, i => table.GetEntityIfExistsAsync<TableEntity>(SourceProfileCache.PartitionKeyOf(stored[i]), stored[i], ["Entry"]));
        await MeasureAsync("transaction of 1 insert", 1_000, i => table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, Row(absent[i]))]));
        await MeasureAsync("single upsert, no transaction", 1_000, i => table.UpsertEntityAsync(Row(absent[1_000 + i]), TableUpdateMode.Replace));
        foreach (var keys in new[] { 2, 4, 14 })
        {
            var groups = stored.Skip(5_000).GroupBy(SourceProfileCache.PartitionKeyOf).SelectMany(g => g.Chunk(keys)).Where(g => g.Length == keys).Take(300).ToList();
            await MeasureAsync($"query of {keys} RowKeys or'ed in one partition", groups.Count, i => QueryAsync(groups[i]));
        }

        return 0;
    }
}
