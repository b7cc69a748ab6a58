using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using IncidentFunctions.Calendar;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// Where an uncached day's report goes once a process is warm: the same four days of 1,000 incidents a day as
/// <c>first-requests</c> pulled and enriched into Azurite, then, alternating between two whole days, each stage of a
/// generation timed in this process (the revision, the stored file's lookup, the model with Azurite's and this
/// process's CPU during it, the render, the upload, a download), with the collections, their pauses, the bytes
/// allocated and the methods JIT-compiled per report (tiering still under way shows there). Verb:
/// <c>report-stages [iterations]</c> (default 20); medians over the second half.
/// </summary>
internal static class ReportStagesBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from inside the repository.");
        await using var azurite = await AzuriteProcess.StartAsync(root);
        var simulatorOptions = SimulatedDays.SimulatorOptions();
        await using var simulator = await WallarmSimulatorHost.StartAsync(simulatorOptions, new FixedClock(SimulatedDays.Now));
        using var host = SimulatedDays.BuildHost(azurite, simulator, simulatorOptions, "stages");
        var services = host.Services;
        await SimulatedDays.PullAndEnrichAsync(services);

        var cache = services.GetRequiredService<ReportCache>();
        var reports = services.GetRequiredService<DailyReportBuilder>();
        var tenant = await services.GetRequiredService<WallarmTenant>().GetClientIdAsync(services.GetRequiredService<WallarmClient>());
        string[] names = ["revision", "lookup", "model", "render", "upload", "download", "total", "pauses"];
        var rows = new List<double[]>();
        for (var i = 0; i < iterations; i++)
        {
            var day = new LocalDate(2026, 11, 19 + (i % 2));
            var (gen0, gen1, gen2, allocated, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
            var (jitCount, jitTime) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
            var watch = Stopwatch.StartNew();
            var revision = await cache.ComputeRevisionAsync(tenant, day, "stages");
            var revised = watch.Elapsed.TotalMilliseconds;
            _ = await cache.GetAsync(tenant, day);
            var looked = watch.Elapsed.TotalMilliseconds;
            var azuriteBefore = azurite.ProcessorTime;
            var ownBefore = Environment.CpuUsage.TotalTime;
            var report = await reports.BuildAsync(tenant, day);
            var built = watch.Elapsed.TotalMilliseconds;
            var azuriteModel = (azurite.ProcessorTime - azuriteBefore).TotalMilliseconds;
            var ownModel = (Environment.CpuUsage.TotalTime - ownBefore).TotalMilliseconds;
            var rendered = new DailyReportDocument(report, PageGeometry.A4Landscape).Render();
            var drawn = watch.Elapsed.TotalMilliseconds;
            // A revision of its own each time: the upload is a write, as a generation's is.
            var file = await cache.PutAsync(tenant, day, rendered.Pdf, revision + i.ToString(CultureInfo.InvariantCulture), report.GeneratedAt, rendered.Pages, null);
            var stored = watch.Elapsed.TotalMilliseconds;
            var stream = await cache.OpenReadAsync(file) ?? throw new InvalidOperationException("The report just stored is gone.");
            await using (stream) await stream.CopyToAsync(Stream.Null);
            var read = watch.Elapsed.TotalMilliseconds;
            var pauses = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
            rows.Add([revised, looked - revised, built - looked, drawn - built, stored - drawn, read - stored, read, pauses]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ReportCalendar.IsoDay(day)}: revision {revised:F0} ms, lookup {looked - revised:F0}, model {built - looked:F0} (CPU: Azurite {azuriteModel:F0}, this process {ownModel:F0}), render {drawn - built:F0}, upload {stored - drawn:F0}, download {read - stored:F0}, total {read:F0}; {report.Incidents.Count} incidents, {rendered.Pages} pages, {rendered.Pdf.Length / 1024} KB; collections {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} pausing {pauses:F0} ms; {(GC.GetTotalAllocatedBytes() - allocated) / 1048576.0:F0} MB allocated; JIT {JitInfo.GetCompiledMethodCount() - jitCount} methods in {(JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms"));
        }

        var tail = rows.Skip(iterations / 2).ToList();
        Console.WriteLine("Medians of the second half (ms): " + string.Join(", ", names.Select((name, k) => string.Create(CultureInfo.InvariantCulture, $"{name} {tail.Select(r => r[k]).Order().ElementAt(tail.Count / 2):F0}"))));
        return 0;
    }
}
