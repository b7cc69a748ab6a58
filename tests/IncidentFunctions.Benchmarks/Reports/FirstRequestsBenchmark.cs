using System.Diagnostics;
using System.Globalization;
using System.Net;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Http;
using IncidentFunctions.WallarmSimulator;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// Cold process, as an instance starts: Azurite up and four days of 1,000 incidents a day already pulled into it (in
/// this process; both days asked for and the days before them, which their change column reads, are whole),
/// then per run a fresh <c>IncidentFunctions.LocalRunner serve</c> process (Release build beside the sources, timers
/// off, queues on) is started and timed from <c>Process.Start</c> to the first 200 on <c>/api/health</c>, then the
/// first request for the uncached day's PDF (each run gets its own reports container, so nothing is cached).
/// Each run starts a runner with <c>Reports:WarmUpOnStart</c> off and one with it on; the request is sent as soon as
/// health answers, so a warm-up still running competes with it. Verb: <c>first-requests [runs] [--after-warm-up]</c>
/// (default 3). With <c>--after-warm-up</c> every runner warms up and the request waits until the runner has logged
/// that its warm-up is done: an instance that started before its first report was asked for (the local runner serving,
/// an always-ready instance), rather than one started by the request. That warm-up reads a page of the most recent day
/// with rows, here the six hours of 2026-11-21, never a day asked for.
/// </summary>
internal static class FirstRequestsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runnerAt = Array.IndexOf(args, "--runner");
        var runnerPath = runnerAt >= 0 && runnerAt + 1 < args.Length ? args[runnerAt + 1] : null;
        var positional = args.Where((_, i) => runnerAt < 0 || (i != runnerAt && i != runnerAt + 1)).ToArray();
        var afterWarmUp = positional.Contains("--after-warm-up");
        positional = [.. positional.Where(a => a != "--after-warm-up")];
        var runs = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 3;
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from inside the repository.");
        // --runner: a published runner (e.g. ReadyToRun, as deployments are published) instead of the Release build.
        var runner = runnerPath is not null
            ? Path.GetFullPath(runnerPath)
            : Path.Combine(root, "src", "IncidentFunctions.LocalRunner", "bin", "Release", "net10.0", "IncidentFunctions.LocalRunner");
        if (!File.Exists(runner)) throw new InvalidOperationException($"Build the runner first: dotnet build -c Release src/IncidentFunctions.LocalRunner ({runner} is missing).");
        await using var azurite = await AzuriteProcess.StartAsync(root);
        var simulatorOptions = SimulatedDays.SimulatorOptions();
        await using var simulator = await WallarmSimulatorHost.StartAsync(simulatorOptions, new FixedClock(SimulatedDays.Now));
        var prefix = "first" + Guid.NewGuid().ToString("N")[..6];
        int enriched;
        using (var host = SimulatedDays.BuildHost(azurite, simulator, simulatorOptions, prefix))
        {
            // Enriched here, as an instance would have before anyone asks for the report, so the runners below find the
            // sources enriched and do not spend the timed request's CPU on a backlog of another process's making.
            enriched = await SimulatedDays.PullAndEnrichAsync(host.Services);
        }

        const string key = "FAKE-benchmark-function-key";
        Console.WriteLine($"Runner: {runner}; {enriched} enrichment message(s) handled before the runs; load {File.ReadAllText("/proc/loadavg").Trim()}");
        // Interleaved: each run starts one runner with the report warm-up off and one with it on (the default).
        for (var n = 0; n < runs * 2; n++)
        {
            var run = n + 1;
            var warmUp = afterWarmUp || n % 2 == 1;
            var port = AzuriteProcess.FreePorts(1)[0];
            var start = new ProcessStartInfo(runner)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "serve",
                $"--Storage:ConnectionString={azurite.ConnectionString}",
                $"--Storage:TablePrefix={prefix}",
                $"--Storage:ReportsContainer=reports-{prefix}-{run}",
                $"--Wallarm:Cloud={simulator.BaseAddress.AbsoluteUri}",
                $"--Wallarm:ApiToken={simulatorOptions.ApiToken}",
                "--Enrichment:UseDefaultSources=false",
                $"--LocalRunner:Urls=http://127.0.0.1:{port}",
                $"--LocalRunner:FunctionKeys:0={key}",
                "--LocalRunner:EnableTimers=false",
                "--Logging:LogLevel:Default=Warning",
                $"--Reports:WarmUpOnStart={warmUp}",
                "--Logging:LogLevel:IncidentFunctions.Reports.ReportWarmup=Debug",
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/"), Timeout = TimeSpan.FromSeconds(60) };
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("The runner did not start.");
            var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            string? storageWarmUp = null;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("Report warm-up read", StringComparison.Ordinal) == true) storageWarmUp = e.Data.Trim();
                if (e.Data?.Contains("Report warm-up rendered", StringComparison.Ordinal) == true) warmedUp.TrySetResult();
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("runner: " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                while (true)
                {
                    if (process.HasExited) throw new InvalidOperationException($"The runner exited with {process.ExitCode}.");
                    try
                    {
                        using var health = await http.GetAsync("health");
                        if (health.StatusCode == HttpStatusCode.OK) break;
                    }
                    catch (HttpRequestException)
                    {
                        // Not listening yet.
                    }

                    await Task.Delay(5);
                }

                var started = watch.Elapsed;
                var waited = "";
                if (afterWarmUp)
                {
                    await warmedUp.Task.WaitAsync(TimeSpan.FromSeconds(60));
                    waited = string.Create(CultureInfo.InvariantCulture, $"warm-up done {(watch.Elapsed - started).TotalMilliseconds:F0} ms after health ({storageWarmUp ?? "no day read from storage"}); ");
                }

                process.Refresh();
                var startCpu = process.TotalProcessorTime;
                var startLoad = File.ReadAllText("/proc/loadavg").Trim();
                var azuriteStart = azurite.ProcessorTime;
                watch.Restart();
                using var request = new HttpRequestMessage(HttpMethod.Get, "reports/daily/2026-11-20.pdf");
                request.Headers.Add(FunctionKeys.HeaderName, key);
                using var response = await http.SendAsync(request);
                var bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
                var first = watch.Elapsed;
                response.EnsureSuccessStatusCode();
                process.Refresh();
                var firstCpu = process.TotalProcessorTime - startCpu;
                var azuriteFirst = azurite.ProcessorTime - azuriteStart;
                var nextCpu = process.TotalProcessorTime;
                watch.Restart();
                using var second = new HttpRequestMessage(HttpMethod.Get, "reports/daily/2026-11-19.pdf");
                second.Headers.Add(FunctionKeys.HeaderName, key);
                using var secondResponse = await http.SendAsync(second);
                _ = await secondResponse.Content.ReadAsByteArrayAsync();
                var next = watch.Elapsed;
                process.Refresh();
                nextCpu = process.TotalProcessorTime - nextCpu;
                var azuriteNext = azurite.ProcessorTime - azuriteStart - azuriteFirst;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run} (warm-up {(warmUp ? "on" : "off")}): start → health 200 {started.TotalMilliseconds:F0} ms (runner CPU {startCpu.TotalMilliseconds:F0} ms, load {startLoad}); {waited}first request (uncached day, {bytes / 1024} KB) {first.TotalMilliseconds:F0} ms (runner CPU {firstCpu.TotalMilliseconds:F0} ms, Azurite CPU {azuriteFirst.TotalMilliseconds:F0} ms); next uncached day {next.TotalMilliseconds:F0} ms (runner CPU {nextCpu.TotalMilliseconds:F0} ms, Azurite CPU {azuriteNext.TotalMilliseconds:F0} ms); peak WS {process.PeakWorkingSet64 / 1048576} MB; load after {File.ReadAllText("/proc/loadavg").Trim()}"));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        return 0;
    }
}
