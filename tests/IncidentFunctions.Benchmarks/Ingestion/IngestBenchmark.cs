using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Storage;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Benchmarks.Ingestion;

/// <summary>
/// End to end: one backfill pull of about N incidents from the in-process simulator into a fresh in-memory Azurite,
/// then, in the same run, the raw throughput of batched SubmitTransactionAsync upserts of the very same rows.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var target = ArgValue(args, "--incidents", 100_000);
        var pageSize = ArgValue(args, "--page-size", 1000);
        var parallelism = ArgValue(args, "--parallelism", 8);
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from inside the repository.");

        await using var azurite = await AzuriteProcess.StartAsync(root);
        var now = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var clock = new FixedClock(now);
        // Incidents active in the last day: those starting in it plus the longer ones carried over (about 6 %).
        var simulatorOptions = new SimulatorOptions { IncidentsPerDay = target / 1.06, PlainAttacksPerDay = 0, HostileTextShare = 0.02 };
        await using var simulator = await WallarmSimulatorHost.StartAsync(simulatorOptions, clock);
        var expected = simulator.Data.IncidentsIn(now.AddDays(-1).ToUnixTimeSeconds(), now.ToUnixTimeSeconds(), now.ToUnixTimeSeconds()).Count();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = simulator.BaseAddress.AbsoluteUri,
            ["Wallarm:ApiToken"] = simulatorOptions.ApiToken,
            ["Wallarm:ClientId"] = simulatorOptions.ClientId.ToString(CultureInfo.InvariantCulture),
            ["Wallarm:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Ingestion:InitialLookback"] = "1.00:00:00",
            ["Ingestion:RunBudget"] = "01:00:00",
            ["Ingestion:WriteParallelism"] = parallelism.ToString(CultureInfo.InvariantCulture),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        await host.StartAsync();

        var stopwatch = Stopwatch.StartNew();
        PullResult result;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            result = await scope.ServiceProvider.GetRequiredService<IncidentPuller>().RunAsync();
        }

        var pullSeconds = stopwatch.Elapsed.TotalSeconds;

        // Raw baseline: the same rows, upserted in 100-action single-partition transactions, same parallelism.
        var clients = host.Services.GetRequiredService<StorageClients>();
        var source = await clients.GetTableAsync(clients.Options.IncidentsTable);
        var rows = new List<IncidentEntity>();
        await foreach (var row in source.QueryAsync<IncidentEntity>(maxPerPage: 1000)) rows.Add(row);
        foreach (var row in rows) row.ETag = default;
        var raw = clients.Tables.GetTableClient("rawbaseline");
        await raw.CreateIfNotExistsAsync();
        stopwatch.Restart();
        await TableBatchWriter.UpsertAsync(raw, rows, TableUpdateMode.Merge, parallelism, CancellationToken.None);
        var rawSeconds = stopwatch.Elapsed.TotalSeconds;

        // The enrichment messages the pull queued, re-sent to a fresh queue: what queueing costs Azurite on its own.
        var queue = await clients.GetQueueAsync(clients.Options.EnrichmentQueueName);
        var bodies = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
            if (batch.Length == 0) break;
            bodies.AddRange(batch.Select(m => m.Body.ToString()));
        }

        var rawQueue = clients.Queues.GetQueueClient("rawbaseline");
        await rawQueue.CreateIfNotExistsAsync();
        stopwatch.Restart();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (body, ct) => await rawQueue.SendMessageAsync(body, ct));
        var queueSeconds = stopwatch.Elapsed.TotalSeconds;
        var queueBytes = bodies.Sum(b => (long)b.Length) * 4 / 3;

        var incidentsPerSecond = result.Incidents / pullSeconds;
        var rawIncidentsPerSecond = result.Incidents / rawSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            Ingest benchmark ({Environment.ProcessorCount} cores, Azurite in memory, page size {pageSize}, {parallelism} transactions in flight)
              incidents pulled      {result.Incidents:N0} (simulator says {expected:N0}) in {result.WindowsPulled} windows
              rows written          {result.RowsWritten:N0} (an incident has a row per report day it spans)
              enrichment messages   {result.Messages:N0} for {result.Sources:N0} source entries
              pull                  {pullSeconds:F2} s  →  {incidentsPerSecond:N0} incidents/s, {result.RowsWritten / pullSeconds:N0} rows/s
              raw batched upserts   {rawSeconds:F2} s for {rows.Count:N0} rows  →  {rawIncidentsPerSecond:N0} incidents/s equivalent, {rows.Count / rawSeconds:N0} rows/s
              pull / raw            {incidentsPerSecond / rawIncidentsPerSecond:P0}
              raw queue sends       {queueSeconds:F2} s for the pull's {bodies.Count:N0} enrichment messages ({queueBytes / 1048576.0:F1} MB base64)
              pull / (raw + queue)  {(rawSeconds + queueSeconds) / pullSeconds:P0}
            """));
        await host.StopAsync();
        return result.Incidents == expected ? 0 : 1;
    }

    private static int ArgValue(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
