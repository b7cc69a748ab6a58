using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>
/// End to end on Azurite: enrichment messages for N incidents (default 100,000; goal at least 3,000 incidents/s),
/// packed per hourly pull window as the puller packs them, consumed by the real <see cref="SourceEnricher"/> with the
/// host's default concurrency (16). Intel: the npm defaults plus the simulator's feeds. Verb: <c>enrich [--incidents N]</c>.
/// </summary>
internal static class EnrichBenchmark
{
    private const int Concurrency = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--incidents");
        var incidents = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 100_000;
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from the repository.");
        await using var azurite = await AzuriteProcess.StartAsync(root);
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions());
        var queueName = "bench-enrich-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "FAKE-benchmark-token",
            // The simulator as the Wallarm API (the default cloud is the internet), and no warm-up renders competing
            // with the enrichment measured.
            ["Wallarm:Cloud"] = simulator.BaseAddress.AbsoluteUri,
            ["Reports:WarmUpOnStart"] = "false",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = "bench" + Guid.NewGuid().ToString("N")[..6],
            [AppSettingNames.EnrichmentQueueName] = queueName,
            ["Enrichment:SimulatorFeeds"] = simulator.BaseAddress.AbsoluteUri,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        await host.StartAsync();

        // Warm: publish the snapshot and load the index once, as a running instance would have.
        var watch = Stopwatch.StartNew();
        await host.Services.GetRequiredService<IntelSnapshotProvider>().GetAsync();
        Console.WriteLine($"Intel refresh + index load: {watch.ElapsedMilliseconds} ms");

        var messages = await ProduceAsync(host.Services, incidents);
        Console.WriteLine($"Queued {messages} message(s) for {incidents:N0} incidents");

        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var enricher = host.Services.GetRequiredService<SourceEnricher>();
        var handled = 0;
        watch.Restart();
        // Without MaxDegreeOfParallelism, ForEachAsync runs ProcessorCount loops (2 here), not 16.
        await Parallel.ForEachAsync(Enumerable.Range(0, Concurrency), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (_, ct) =>
        {
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(4, TimeSpan.FromMinutes(5), ct)).Value;
                if (batch.Length == 0) return;
                foreach (var message in batch)
                {
                    await enricher.HandleAsync(message.Body, ct);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    Interlocked.Increment(ref handled);
                }
            }
        });
        watch.Stop();
        var rate = incidents / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"Enriched {handled} message(s) / {incidents:N0} incidents in {watch.Elapsed.TotalSeconds:0.0} s: {rate:N0} incidents/s");
        await host.StopAsync();
        return 0;
    }

    /// <summary>Incidents spread over 7 days in hourly windows; sources drawn from the simulator pools and 20,000 other addresses.</summary>
    internal static async Task<int> ProduceAsync(IServiceProvider services, int incidents)
    {
        var publisher = services.GetRequiredService<EnrichmentPublisher>();
        var random = new Random(100_000);
        var pool = new IncidentGenerator(new SimulatorOptions()).AllAddresses.Select(a => a.Address).ToArray();
        var others = Enumerable.Range(0, 20_000).Select(_ => IncidentFunctions.Enrichment.Intel.IpNumber.Format(IncidentFunctions.Enrichment.Intel.IpNumber.FromV4((uint)random.Next(0x01000000, int.MaxValue) * 2u))).ToArray();
        var start = new DateTimeOffset(2026, 11, 13, 0, 0, 0, TimeSpan.Zero);
        const int windows = 7 * 24;
        var messages = 0;
        for (var w = 0; w < windows; w++)
        {
            var from = start.AddHours(w);
            var bySource = new Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, List<EnrichmentIncidentRef> Refs)>();
            var count = incidents / windows + (w < incidents % windows ? 1 : 0);
            for (var i = 0; i < count; i++)
            {
                var first = from.AddSeconds(random.Next(3600));
                var day = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                var reference = new EnrichmentIncidentRef { Id = $"attacks_production_5_202611_v_1:{w:D3}{i:D5}", Days = [day] };
                for (var k = 1 + random.Next(3); k > 0; k--)
                {
                    var ip = random.Next(3) == 0 ? others[random.Next(others.Length)] : pool[random.Next(pool.Length)];
                    if (!bySource.TryGetValue(ip, out var s)) bySource[ip] = s = (first, first, []);
                    s.Refs.Add(reference);
                }
            }

            var sources = bySource.Select(s => new EnrichmentSource { Ip = s.Key, FirstSeen = s.Value.First, LastSeen = s.Value.Last.AddMinutes(5), Incidents = s.Value.Refs }).ToList();
            messages += await publisher.SendAsync(5, "bench-" + w, from, sources);
        }

        return messages;
    }
}
