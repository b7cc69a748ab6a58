using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Http;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// End to end on the local runner: a day of incidents pulled from the simulator into Azurite, yesterday's report
/// generated once, then N sequential GETs of the cached report over HTTP with the function key (full body each time)
/// and N conditional GETs (If-None-Match → 304). Reports p50, p99 and max latency as the client sees them.
/// </summary>
internal static class ReportHttpBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from inside the repository.");
        await using var azurite = await AzuriteProcess.StartAsync(root);
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
        var simulatorOptions = new SimulatorOptions { IncidentsPerDay = 1_000 };
        await using var simulator = await WallarmSimulatorHost.StartAsync(simulatorOptions, clock);
        var port = AzuriteProcess.FreePorts(1)[0];
        const string key = "FAKE-benchmark-function-key";

        var builder = RunnerWebBuilder.Create([]); // the runner's builder: settings read once, the working directory not watched
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = simulator.BaseAddress.AbsoluteUri,
            ["Wallarm:ApiToken"] = simulatorOptions.ApiToken,
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Ingestion:InitialLookback"] = "2.00:00:00",
            ["Enrichment:UseDefaultSources"] = "false",
            ["LocalRunner:Urls"] = $"http://127.0.0.1:{port}",
            ["LocalRunner:FunctionKeys:0"] = key,
            ["LocalRunner:EnableTimers"] = "false",
            ["LocalRunner:EnableQueues"] = "false",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        await using var app = builder.Build();
        app.MapLocalRunnerRoutes();
        await app.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IncidentPuller>().RunAsync();
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/") };
        http.DefaultRequestHeaders.Add(FunctionKeys.HeaderName, key);
        const string path = "reports/daily/2026-11-20.pdf";
        var stopwatch = Stopwatch.StartNew();
        using var first = await http.GetAsync(path);
        first.EnsureSuccessStatusCode();
        var generation = stopwatch.Elapsed;
        var bytes = (await first.Content.ReadAsByteArrayAsync()).Length;
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("No ETag on the report response.");

        // Warm the connection and the JIT on both paths before timing.
        for (var i = 0; i < 50; i++) await GetAsync(http, path, null);
        var full = new double[requests];
        for (var i = 0; i < requests; i++) full[i] = await GetAsync(http, path, null);
        var conditional = new double[requests];
        for (var i = 0; i < requests; i++) conditional[i] = await GetAsync(http, path, etag);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            Cached report over HTTP on the local runner ({Environment.ProcessorCount} cores; Azurite in memory; {requests} sequential requests each)
              first request (generates and caches the PDF): {generation.TotalMilliseconds:F0} ms, {bytes / 1024.0:F0} KB
              GET 200 (full PDF)          p50 {Percentile(full, 50):F2} ms   p99 {Percentile(full, 99):F2} ms   max {full.Max():F2} ms
              GET If-None-Match → 304     p50 {Percentile(conditional, 50):F2} ms   p99 {Percentile(conditional, 99):F2} ms   max {conditional.Max():F2} ms
            """));
        await app.StopAsync();
        return 0;
    }

    private static async Task<double> GetAsync(HttpClient http, string path, EntityTagHeaderValue? etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (etag is not null) request.Headers.IfNoneMatch.Add(etag);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != (etag is null ? HttpStatusCode.OK : HttpStatusCode.NotModified))
        {
            throw new InvalidOperationException($"Unexpected {(int)response.StatusCode} for {path}.");
        }

        return elapsed;
    }

    private static double Percentile(double[] values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
