using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>
/// Enrichment through the local runner's real <c>QueueListener</c> (repository host.json, Azurite) next to the
/// in-process consumer of <see cref="EnrichBenchmark"/>, in one run on the same messages: each phase has its own queue
/// and its own tables (so both pay the same cache misses) and shares the published intel snapshot, whose index is
/// loaded before each clock starts. Verb: <c>enrich-listener [--incidents N]</c> (default 120,000 ≈ 1,000 messages).
/// </summary>
internal static class EnrichListenerBenchmark
{
    private const int Concurrency = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--incidents");
        var incidents = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 120_000;
        var listenerOnly = args.Contains("--listener-only");
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from the repository.");
        await using var azurite = await AzuriteProcess.StartAsync(root);
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions());

        double? inProcessRate = null;
        if (!listenerOnly)
        {
            var (rate, cpu) = await InProcessAsync(azurite, simulator.BaseAddress, incidents);
            inProcessRate = rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process: {rate:N0} incidents/s, process CPU {cpu.TotalSeconds:F1} s"));
        }

        var (listenerRate, listenerCpu) = await ListenerAsync(azurite, simulator.BaseAddress, root, incidents);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener:   {listenerRate:N0} incidents/s, process CPU {listenerCpu.TotalSeconds:F1} s"));
        if (inProcessRate is { } r) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process / listener: {r / listenerRate:F2}x"));
        return 0;
    }

    private static Dictionary<string, string?> Settings(string connectionString, Uri simulator, string queueName) => new()
    {
        ["Wallarm:ApiToken"] = "FAKE-benchmark-token",
        // The simulator as the Wallarm API: the default cloud is the internet (the report warm-up asks it for the tenant).
        ["Wallarm:Cloud"] = simulator.AbsoluteUri,
        // Enrichment is measured: no warm-up renders competing with it for the two cores.
        ["Reports:WarmUpOnStart"] = "false",
        ["Storage:ConnectionString"] = connectionString,
        ["Storage:TablePrefix"] = "bench" + Guid.NewGuid().ToString("N")[..6],
        [AppSettingNames.EnrichmentQueueName] = queueName,
        ["Enrichment:SimulatorFeeds"] = simulator.AbsoluteUri,
    };

    private static async Task<(double Rate, TimeSpan Cpu)> InProcessAsync(AzuriteProcess azurite, Uri simulator, int incidents)
    {
        var connectionString = azurite.ConnectionString;
        var queueName = "bench-inproc-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(connectionString, simulator, queueName));
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        await host.StartAsync();
        var watch = Stopwatch.StartNew();
        await host.Services.GetRequiredService<IntelSnapshotProvider>().GetAsync();
        Console.WriteLine($"Intel refresh + index load: {watch.ElapsedMilliseconds} ms");
        var messages = await EnrichBenchmark.ProduceAsync(host.Services, incidents);
        Console.WriteLine($"Queued {messages} message(s) for {incidents:N0} incidents");

        var queue = new QueueClient(connectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var enricher = host.Services.GetRequiredService<SourceEnricher>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var storageCpu = azurite.ProcessorTime;
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
                }
            }
        });
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        storageCpu = azurite.ProcessorTime - storageCpu;
        await host.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process: Azurite CPU {storageCpu.TotalSeconds:F1} s = {storageCpu.TotalMilliseconds / messages:F1} ms per message"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process: {messages} message(s) in {watch.Elapsed.TotalSeconds:F1} s"));
        return (incidents / watch.Elapsed.TotalSeconds, cpu);
    }

    private static async Task<(double Rate, TimeSpan Cpu)> ListenerAsync(AzuriteProcess azurite, Uri simulator, string root, int incidents)
    {
        var connectionString = azurite.ConnectionString;
        var queueName = "bench-listen-" + Guid.NewGuid().ToString("N")[..8];
        var builder = RunnerWebBuilder.Create([]); // the runner's builder: settings read once, the working directory not watched
        var settings = Settings(connectionString, simulator, queueName);
        settings["LocalRunner:Urls"] = $"http://127.0.0.1:{AzuriteProcess.FreePorts(1)[0]}";
        settings["LocalRunner:EnableTimers"] = "false";
        settings["LocalRunner:EnableQueues"] = "true";
        settings["LocalRunner:HostJsonPath"] = Path.Combine(root, "host.json");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();

        // Count finished handler calls: the real job, wrapped.
        var handled = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var expected = int.MaxValue;
        var original = builder.Services.Single(d => d.ServiceType == typeof(QueueJob));
        var job = (QueueJob)original.ImplementationInstance!;
        builder.Services.Remove(original);
        builder.Services.AddSingleton(job with
        {
            Handler = async (sp, message, ct) =>
            {
                await job.Handler(sp, message, ct);
                if (Interlocked.Increment(ref handled) >= Volatile.Read(ref expected)) done.TrySetResult();
            },
        });

        await using var app = builder.Build();
        var messages = await EnrichBenchmark.ProduceAsync(app.Services, incidents);
        Volatile.Write(ref expected, messages);
        Console.WriteLine($"Queued {messages} message(s) for the listener");
        var watch = Stopwatch.StartNew();
        await app.Services.GetRequiredService<IntelSnapshotProvider>().GetAsync();
        Console.WriteLine($"Index load (snapshot already published): {watch.ElapsedMilliseconds} ms");

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var storageCpu = azurite.ProcessorTime;
        watch.Restart();
        await app.StartAsync();
        await done.Task.WaitAsync(TimeSpan.FromMinutes(30));
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        storageCpu = azurite.ProcessorTime - storageCpu;
        await app.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener:   Azurite CPU {storageCpu.TotalSeconds:F1} s = {storageCpu.TotalMilliseconds / messages:F1} ms per message"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener:   {messages} message(s) in {watch.Elapsed.TotalSeconds:F1} s"));
        return (incidents / watch.Elapsed.TotalSeconds, cpu);
    }
}
