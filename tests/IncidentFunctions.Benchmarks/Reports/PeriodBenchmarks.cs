using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Http;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Storage;
using IncidentFunctions.Testing;
using IncidentFunctions.WallarmSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// Issue 12's figures, end to end on the local runner with Azurite in memory:
/// <list type="bullet">
/// <item><c>period-report [perDay]</c>: a month (October 2026, 31 days) of <c>perDay</c> incidents a day (default
/// 1,000) and the month before it stored in Azurite with enriched sources; then the monthly report is built from storage
/// (31 + 30 day partitions read in parallel) and rendered, timed, with the process's peak RSS reset just before.</item>
/// <item><c>csv-http [rows] [weekRowsPerDay] [--after-job]</c>: <c>rows</c> incidents (default 100,000) stored on one complete day,
/// then <c>GET /api/reports/daily/{day}.csv</c> over HTTP with the function key, read as a stream: the first request
/// (cold: the table partition, saving the day's snapshot) and three more (warm: the snapshot blob), each with rows/s
/// and the peak RSS above the process's working set just before it (after a warm-up of both paths on a 1,000-row day
/// before it); with <c>--after-job</c> the CSV snapshot job runs (timed) before the first request, which is then served
/// from the snapshot it wrote (the first export of a closed day once the hourly job has run). Then the other five days of that ISO week get <c>weekRowsPerDay</c> rows each (default 20,000; 0
/// skips) and the week is exported cold and warm.</item>
/// <item><c>daily-report-memory [incidents]</c> (issue 14): a day of <c>incidents</c> (default 10,000, 1/7 hostile) and
/// the day before it (nine tenths as many) stored with enriched sources; then, in a fresh process against the same
/// Azurite, the day's PDF through <see cref="DailyReportService"/> (read, model, render, upload), timed, with the
/// whole process's peak working set.</item>
/// </list>
/// The fresh processes of both run with the GC setting the Functions app is deployed with on its smallest (512 MB)
/// instances, which these goals are about; <c>--runtime-defaults</c> leaves it out, and a value of it already in the
/// environment is passed on instead.
/// </summary>
internal static class PeriodBenchmarks
{
    private const long Tenant = 4242;
    private const string Key = "FAKE-benchmark-function-key";

    public static async Task<int> RunReportAsync(string[] args)
    {
        args = TakeRuntimeDefaults(args);
        var perDay = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        var month = ReportPeriod.Month(2026, 10);
        await using var host = await Host.StartAsync(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero));
        var seeding = Stopwatch.StartNew();
        var inputs = ReportPreviewData.CreatePeriod(month, perDay, hostile: false, tenantId: Tenant);
        var rows = await host.SeedAsync(inputs.Days.Concat(inputs.PreviousDays));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {rows:N0} rows of {month.Key} and {month.Previous().Key} in {seeding.Elapsed.TotalSeconds:F1} s"));
        inputs = null;
        Collect();

        // The build again in a fresh process against the same Azurite: what an instance that only serves the report
        // holds at its peak (this process still has the seeding's heap mapped, which no GC returns promptly).
        Console.WriteLine(ChildRuntime);
        var child = await RunBuildInChildAsync(host.AzuriteConnectionString);
        foreach (var variant in (Environment.GetEnvironmentVariable("PERIOD_VARIANTS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            Console.WriteLine("variant " + variant + ":\n" + await RunBuildInChildAsync(host.AzuriteConnectionString, variant));
        }

        var baseline = Process.GetCurrentProcess().WorkingSet64;
        var reset = ResetPeak();
        var (report, rendered, built, total) = await BuildMonthAsync(host, month);
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            Monthly report from storage ({Environment.ProcessorCount} cores; Azurite in memory on the same cores)
              incidents: {report.IncidentsTotal:N0} in {month.Key} ({report.Days.Sum(d => d.Incidents):N0} day rows), previous month {report.PreviousFigures.Incidents:N0}
              read + model: {built.TotalSeconds:F2} s   render: {(total - built).TotalSeconds:F2} s   total: {total.TotalSeconds:F2} s (goal < 10 s)
              pages: {rendered.Pages}   PDF: {rendered.Pdf.Length / 1024.0:F0} KB
              peak working set: {process.PeakWorkingSet64 / 1048576.0:F0} MB ({(reset ? "reset just before the build" : "process peak so far")}; {baseline / 1048576.0:F0} MB before, after seeding in this process)

            In a fresh process (host start, build and render of the same month, nothing else):
            {child}
            """));
        return 0;
    }

    /// <summary>The child of <see cref="RunReportAsync"/>: builds and renders the month from the Azurite it is given and prints its figures.</summary>
    public static async Task<int> RunReportBuildAsync(string[] args)
    {
        var month = ReportPeriod.Month(2026, 10);
        await using var host = await Host.StartAsync(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero), args[0], simulator: false);
        // Asked for, as the service does first: the start-up warm-up stops instead of competing with the build.
        host.App.Services.GetRequiredService<ReportDemand>().Requested();
        Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var (report, rendered, built, total) = await BuildMonthAsync(host, month);
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  read + model: {built.TotalSeconds:F2} s   render: {(total - built).TotalSeconds:F2} s   total: {total.TotalSeconds:F2} s   {report.IncidentsTotal:N0} incidents, {rendered.Pages} pages\n  peak working set of the whole process: {process.PeakWorkingSet64 / 1048576.0:F0} MB (goal < 300 MB; {before / 1048576.0:F0} MB after the host started); allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MB, GC heap now {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F0} MB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections"));
        return 0;
    }

    /// <param name="args">[incidents] [--at-start: ask as soon as the host has started, while its warm-up render runs; by default once it is done, as an instance that has been up a moment]</param>
    public static async Task<int> RunDailyMemoryAsync(string[] args)
    {
        args = TakeRuntimeDefaults(args);
        var atStart = args.Contains("--at-start", StringComparer.Ordinal);
        args = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        await using var host = await Host.StartAsync(DailyMemoryNow);
        var seeding = Stopwatch.StartNew();
        var inputs = ReportPreviewData.Create(count, DailyMemoryDay, hostile: true, tenantId: Tenant);
        var window = new ReportCalendar("UTC").WindowOf(DailyMemoryDay.PlusDays(-1));
        var rows = await host.SeedAsync(
            [
                new PeriodDayInputs(DailyMemoryDay, inputs.Rows, inputs.Sources, inputs.Coverage),
                new PeriodDayInputs(DailyMemoryDay.PlusDays(-1), inputs.PreviousRows, inputs.PreviousSources, new DayCoverage(DailyMemoryDay.PlusDays(-1), window, [window], [])),
            ]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {rows:N0} rows ({count:N0} on {DailyMemoryDay}, the rest the day before) in {seeding.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(ChildRuntime);
        inputs = null;
        for (var run = 1; run <= 3; run++)
        {
            // Each child gets a reports container of its own, so each generates the PDF.
            var child = await RunChildAsync("daily-report-memory-build", host.AzuriteConnectionString, $"daily{run}{Guid.NewGuid():N}"[..20], atStart ? $"{AtStartVariable}=1" : "");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fresh process {run}:\n{child}"));
        }

        return 0;
    }

    /// <summary>The child of <see cref="RunDailyMemoryAsync"/>: the day's PDF through the service, and the process's figures.</summary>
    public static async Task<int> RunDailyMemoryBuildAsync(string[] args)
    {
        await using var host = await Host.StartAsync(DailyMemoryNow, args[0], args[1], simulator: false);
        var atStart = Environment.GetEnvironmentVariable(AtStartVariable) is not null;
        // The warm-up's own peak stays in the process's peak either way.
        var warmup = host.App.Services.GetServices<IHostedService>().OfType<ReportWarmup>().Single();
        if (!atStart) await warmup.ExecuteTask!;
        Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var stopwatch = Stopwatch.StartNew();
        var file = await host.App.Services.GetRequiredService<DailyReportService>().GetOrCreateAsync(DailyMemoryDay);
        var elapsed = stopwatch.Elapsed;
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {(atStart ? "asked as soon as the host started, during its warm-up" : "asked once the host's warm-up was done")}\n  read, model, render, upload: {elapsed.TotalSeconds:F2} s, {file.Pages} pages, {file.Length / 1024.0:F0} KB\n  peak working set of the whole process: {process.PeakWorkingSet64 / 1048576.0:F0} MB (goal ≤ 180 MB; {before / 1048576.0:F0} MB after the host started); allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections"));
        return 0;
    }

    private const string AtStartVariable = "INCIDENTFUNCTIONS_BENCHMARK_AT_START";

    private static readonly NodaTime.LocalDate DailyMemoryDay = new(2026, 11, 20);
    private static readonly DateTimeOffset DailyMemoryNow = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    /// <summary>The timed part: the month's model from storage, then its PDF.</summary>
    private static async Task<(PeriodReport Report, RenderedReport Rendered, TimeSpan Built, TimeSpan Total)> BuildMonthAsync(Host host, ReportPeriod month)
    {
        var stopwatch = Stopwatch.StartNew();
        var report = await host.App.Services.GetRequiredService<PeriodReportBuilder>().BuildAsync(Tenant, month);
        var built = stopwatch.Elapsed;
        var rendered = new PeriodReportDocument(report, PageGeometry.A4Landscape).Render();
        return (report, rendered, built, stopwatch.Elapsed);
    }

    private static bool _runtimeDefaults;

    /// <summary>
    /// Drops <c>--runtime-defaults</c> from <paramref name="args"/>: with it the fresh processes run without the GC
    /// setting infra/app/function-app.bicep deploys (<see cref="DeploymentSettings.YoungGenerationBudget"/>).
    /// </summary>
    private static string[] TakeRuntimeDefaults(string[] args)
    {
        _runtimeDefaults = args.Contains("--runtime-defaults", StringComparer.Ordinal);
        return [.. args.Where(a => a != "--runtime-defaults")];
    }

    private static string ChildRuntime
    {
        get
        {
            var (key, value) = DeploymentSettings.YoungGenerationBudget;
            var inherited = Environment.GetEnvironmentVariable(key);
            return inherited is not null ? $"fresh processes: {key}={inherited} (from this environment)"
                : _runtimeDefaults ? "fresh processes: the runtime's defaults (--runtime-defaults)"
                : $"fresh processes: as deployed on 512 MB instances, {key}={value} (infra/app/function-app.bicep)";
        }
    }

    private static Task<string> RunBuildInChildAsync(string azurite, string variant = "")
        => RunChildAsync("period-report-build", azurite, variant: variant);

    /// <summary>Runs this benchmark's <paramref name="verb"/> in a fresh process; returns what it printed.</summary>
    private static async Task<string> RunChildAsync(string verb, string azurite, string? reportsContainer = null, string variant = "")
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        // As deployed on the smallest instances; a value already in this environment wins, so budgets can be compared.
        var (gcKey, gcValue) = DeploymentSettings.YoungGenerationBudget;
        if (!_runtimeDefaults && !start.Environment.ContainsKey(gcKey)) start.Environment[gcKey] = gcValue;
        foreach (var pair in variant.Split(',', StringSplitOptions.RemoveEmptyEntries)) start.Environment[pair.Split('=')[0]] = pair.Split('=')[1];
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(PeriodBenchmarks).Assembly.Location);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(azurite);
        if (reportsContainer is not null) start.ArgumentList.Add(reportsContainer);
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        return child.ExitCode == 0 ? (await output).TrimEnd() : $"  the child failed ({child.ExitCode}): {await errors}";
    }

    /// <summary>
    /// <c>retention [rowsPerDay] [days]</c>: how fast the retention job deletes. Seeds <c>days</c> expired days of
    /// <c>rowsPerDay</c> incidents (with their sources and coverage) and one day at the cutoff, runs the job once
    /// with the default budget, and prints the rows it deleted per second.
    /// </summary>
    public static async Task<int> RunRetentionAsync(string[] args)
    {
        // --round-trip MS: table requests pass a proxy that adds MS to each round trip, as a storage account does
        // (Azurite answers here in well under a millisecond; Table storage from a function app in the same region in a
        // few). Blobs and queues go direct.
        var at = Array.IndexOf(args, "--round-trip");
        var roundTrip = at >= 0 ? TimeSpan.FromMilliseconds(int.Parse(args[at + 1], CultureInfo.InvariantCulture)) : TimeSpan.Zero;
        args = at >= 0 ? [.. args[..at], .. args[(at + 2)..]] : args;
        var rowsPerDay = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var now = new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
        await using var azurite = await AzuriteProcess.StartAsync(RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from inside the repository."));
        await using var proxy = LatencyProxy.Start(azurite.TablePort, roundTrip);
        var connectionString = roundTrip == TimeSpan.Zero ? azurite.ConnectionString : azurite.ConnectionString.Replace($":{azurite.TablePort}/", $":{proxy.Port}/", StringComparison.Ordinal);
        await using var host = await Host.StartAsync(now, connectionString, simulator: false);
        var reports = host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReportOptions>>().Value;
        var dataCutoff = new NodaTime.LocalDate(2026, 11, 23).PlusDays(-reports.RetentionDays - Retention.RetentionJob.ComparisonDays);
        var seeding = Stopwatch.StartNew();
        long seeded = 0;
        foreach (var day in Enumerable.Range(0, days + 1).Select(i => dataCutoff.PlusDays(-i)))
        {
            var inputs = ReportPreviewData.Create(rowsPerDay, day, tenantId: Tenant, seed: day.Day);
            seeded += await host.SeedAsync([new PeriodDayInputs(day, inputs.Rows, inputs.Sources, inputs.Coverage)], maxProfilesPerDay: rowsPerDay);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {seeded:N0} incident rows over {days + 1} days (the last at the cutoff, kept) in {seeding.Elapsed.TotalSeconds:F1} s; load {LoadAverage()}"));
        var running = Stopwatch.StartNew();
        await using var scope = host.App.Services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<Retention.RetentionJob>().RunAsync();
        var elapsed = running.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Retention job, {Environment.ProcessorCount} cores, Azurite in memory on the same cores, {roundTrip.TotalMilliseconds:N0} ms added to each table round trip; load {LoadAverage()}
              deleted {run.RowsDeleted:N0} table rows (incidents, sources, coverage, change marks) in {elapsed.TotalSeconds:F1} s: {run.RowsDeleted / elapsed.TotalSeconds:N0} rows/s
              finished {run.Finished}, failed {run.Failed}, skipped {run.Skipped}
            """));
        return run.Failed == 0 && run.Finished ? 0 : 1;
    }

    public static async Task<int> RunCsvAsync(string[] args)
    {
        var afterJob = args.Contains("--after-job", StringComparer.Ordinal);
        args = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var weekPerDay = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var day = new NodaTime.LocalDate(2026, 11, 20); // Friday of 2026-W47; "now" is the Monday after, so the whole week is complete
        await using var host = await Host.StartAsync(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        var seeding = Stopwatch.StartNew();
        var inputs = ReportPreviewData.Create(count, day, hostile: true, tenantId: Tenant);
        await host.SeedAsync([new PeriodDayInputs(day, inputs.Rows, inputs.Sources, inputs.Coverage)], maxProfilesPerDay: 20_000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {count:N0} rows (and 20,000 enriched top IPs) in {seeding.Elapsed.TotalSeconds:F1} s"));
        inputs = null;

        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(20) };
        http.DefaultRequestHeaders.Add(FunctionKeys.HeaderName, Key);
        var path = $"reports/daily/{ReportCalendar.IsoDay(day)}.csv";

        // Warm the JIT and the connection on both paths with a small day of the week, so the figures are an instance's steady state.
        var warmUpDay = day.PlusDays(-1);
        var warmUp = ReportPreviewData.Create(1_000, warmUpDay, hostile: true, tenantId: Tenant, seed: warmUpDay.Day);
        await host.SeedAsync([new PeriodDayInputs(warmUpDay, warmUp.Rows, warmUp.Sources, warmUp.Coverage)]);
        for (var i = 0; i < 2; i++) await ReadAsync(http, $"reports/daily/{ReportCalendar.IsoDay(warmUpDay)}.csv");
        warmUp = null;

        var snapshotName = CsvSnapshotStore.BlobNameFor(Tenant, day);

        // With --after-job the snapshot job runs first (as its hourly timer would after the day closed), so the first
        // request is served from the snapshot it wrote.
        var job = "";
        if (afterJob)
        {
            var running = Stopwatch.StartNew();
            await using var scope = host.App.Services.CreateAsyncScope();
            var run = await scope.ServiceProvider.GetRequiredService<CsvSnapshotJob>().RunAsync();
            job = string.Create(CultureInfo.InvariantCulture, $"  snapshot job:    {run.Written} day(s) written, {run.UpToDate} up to date, {run.Failed} failed in {running.Elapsed.TotalSeconds:F2} s ({count / running.Elapsed.TotalSeconds:N0} rows/s of the big day)\n");
        }

        // Cold: the first request reads the table partition (and saves the day's snapshot as it goes), or with
        // --after-job the snapshot the job wrote.
        var cold = await MeasureAsync(http, path);
        var storage = host.App.Services.GetRequiredService<StorageClients>();
        var container = await storage.GetContainerAsync(storage.Options.ReportsContainer);
        var snapshot = await container.GetBlobClient(snapshotName).GetPropertiesAsync();

        // Warm: the same request again, served from the snapshot (three times: the machine is shared).
        var warm = new List<Measured>();
        for (var i = 0; i < 3; i++) warm.Add(await MeasureAsync(http, path));

        // The floor of the cold path: the same partition read through the table client alone (no CSV, no HTTP).
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable);
        var partition = DayPartition.Key(Tenant, day);
        var raw = Stopwatch.StartNew();
        long rawRows = 0;
        await foreach (var _ in table.QueryAsync<IncidentEntity>(e => e.PartitionKey == partition, maxPerPage: 1000)) rawRows++;
        var rawElapsed = raw.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            CSV export over HTTP on the local runner ({Environment.ProcessorCount} cores; Azurite in memory on the same cores; load {LoadAverage()})
            {job}  {(afterJob ? "first (job's snapshot)" : "cold (table)")}:    {cold.Describe()}
              snapshot blob:   {snapshot.Value.ContentLength / 1048576.0:F1} MB, {snapshot.Value.Metadata["rows"]} rows
            {string.Join("\n", warm.Select((w, i) => $"  warm {i + 1} (blob):   {w.Describe()}"))}
              raw table read of the same partition: {rawRows:N0} rows in {rawElapsed.TotalSeconds:F2} s = {rawRows / rawElapsed.TotalSeconds:N0} rows/s ({(afterJob ? "first export" : "cold export")} / raw: {cold.Elapsed.TotalSeconds / rawElapsed.TotalSeconds:F2}×)
            """));

        if (weekPerDay <= 0) return 0;

        // A week: the other six days of 2026-W47 with weekPerDay rows each (Thursday keeps its 1,000 warm-up rows and
        // its snapshot); cold (five table days, two snapshots), then warm.
        var week = ReportPeriod.WeekOf(day);
        seeding.Restart();
        foreach (var other in week.Days.Where(d => d != day && d != warmUpDay))
        {
            var more = ReportPreviewData.Create(weekPerDay, other, hostile: true, tenantId: Tenant, seed: other.Day);
            await host.SeedAsync([new PeriodDayInputs(other, more.Rows, more.Sources, more.Coverage)], maxProfilesPerDay: 20_000);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded 5 more days of {week.Key} with {weekPerDay:N0} rows each in {seeding.Elapsed.TotalSeconds:F1} s"));
        var weekPath = $"reports/weekly/{week.Key}.csv";
        var weekCold = await MeasureAsync(http, weekPath);
        var weekWarm = await MeasureAsync(http, weekPath);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            Weekly CSV export of {week.Key} ({count + 1_000 + 5L * weekPerDay:N0} rows; load {LoadAverage()})
              cold (5 table days + 2 snapshots): {weekCold.Describe()}
              warm (7 snapshots):                {weekWarm.Describe()}
            """));
        return 0;
    }

    private sealed record Measured(long Records, long Bytes, TimeSpan Elapsed, long Baseline, long Peak, bool Reset)
    {
        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"{Records:N0} records (+ header), {Bytes / 1048576.0:F1} MB in {Elapsed.TotalSeconds:F2} s = {Records / Elapsed.TotalSeconds:N0} rows/s (goal ≥ 50,000); peak {(Peak - Baseline) / 1048576.0:F0} MB above the {Baseline / 1048576.0:F0} MB before ({(Reset ? "peak reset just before" : "process peak so far")}; goal < 50 MB above)");
    }

    /// <summary>One timed request, with the process's peak working set reset just before it.</summary>
    private static async Task<Measured> MeasureAsync(HttpClient http, string path)
    {
        Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        var reset = ResetPeak();
        var stopwatch = Stopwatch.StartNew();
        var (lines, bytes) = await ReadAsync(http, path);
        var elapsed = stopwatch.Elapsed;
        using var process = Process.GetCurrentProcess();
        return new Measured(lines - 1, bytes, elapsed, baseline, process.PeakWorkingSet64, reset);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Reads the body as a stream and counts CRLF record ends outside quotes (hostile text has quoted line breaks).</summary>
    private static async Task<(long Lines, long Bytes)> ReadAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long lines = 0, bytes = 0;
        var quoted = false;
        byte previous = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (b == (byte)'"') quoted = !quoted;
                else if (b == (byte)'\n' && previous == (byte)'\r' && !quoted) lines++;
                previous = b;
            }
        }

        return (lines, bytes);
    }

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Linux: resets the process's peak resident set size (VmHWM) to the current size.</summary>
    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Azurite, the simulator (for the Wallarm settings only) and the local runner with the app's composition root.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private AzuriteProcess? _azurite;
        private WallarmSimulatorHost? _simulator;

        public WebApplication App { get; private set; } = null!;

        public Uri BaseAddress { get; private set; } = null!;

        /// <summary>The storage connection string the app uses (to hand to a child process).</summary>
        public string AzuriteConnectionString { get; private set; } = "";

        /// <param name="azurite">An Azurite to use (a child's); null starts one.</param>
        /// <param name="reportsContainer">The blob container for PDFs; null for the default.</param>
        /// <param name="simulator">
        /// False for a measured child: reports never call the Wallarm API (the tenant is configured), and the
        /// simulator's web app would be counted in the process's memory as if it were the product's.
        /// </param>
        public static async Task<Host> StartAsync(DateTimeOffset now, string? azurite = null, string? reportsContainer = null, bool simulator = true)
        {
            var host = new Host();
            var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from inside the repository.");
            if (azurite is null) host._azurite = await AzuriteProcess.StartAsync(root);
            host.AzuriteConnectionString = azurite ?? host._azurite!.ConnectionString;
            var clock = new FixedClock(now);
            var simulatorOptions = new SimulatorOptions { IncidentsPerDay = 10 };
            if (simulator) host._simulator = await WallarmSimulatorHost.StartAsync(simulatorOptions, clock);
            var port = AzuriteProcess.FreePorts(1)[0];
            var builder = RunnerWebBuilder.Create([]); // the runner's builder: settings read once, the working directory not watched
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Without the simulator, an address that refuses at once: a call would fail fast and loudly.
                ["Wallarm:Cloud"] = host._simulator?.BaseAddress.AbsoluteUri ?? "http://127.0.0.1:1/",
                ["Wallarm:ApiToken"] = simulatorOptions.ApiToken,
                ["Wallarm:ClientId"] = Tenant.ToString(CultureInfo.InvariantCulture),
                ["Storage:ConnectionString"] = host.AzuriteConnectionString,
                ["Enrichment:UseDefaultSources"] = "false",
                ["LocalRunner:Urls"] = $"http://127.0.0.1:{port}",
                ["LocalRunner:FunctionKeys:0"] = Key,
                ["LocalRunner:EnableTimers"] = "false",
                ["LocalRunner:EnableQueues"] = "false",
            });
            if (reportsContainer is not null) builder.Configuration["Storage:ReportsContainer"] = reportsContainer;
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.AddIncidentFunctions();
            builder.AddLocalRunner();
            host.App = builder.Build();
            host.App.MapLocalRunnerRoutes();
            await host.App.StartAsync();
            host.BaseAddress = new Uri($"http://127.0.0.1:{port}/api/");
            return host;
        }

        /// <summary>Writes the rows (100-row transactions, 8 in flight) and each day's sources and full coverage.</summary>
        /// <param name="maxProfilesPerDay">Enriched sources stored per day: the top IP of each row, in row order, at most this many (a day of 100,000 random incidents has about 300,000 IPs; what the report and the CSV read of a source is its top IP).</param>
        public async Task<long> SeedAsync(IEnumerable<PeriodDayInputs> days, int maxProfilesPerDay = int.MaxValue)
        {
            var storage = App.Services.GetRequiredService<StorageClients>();
            var table = await storage.GetTableAsync(storage.Options.IncidentsTable);
            var profiles = App.Services.GetRequiredService<SourceProfileStore>();
            var coverage = App.Services.GetRequiredService<CoverageLog>();
            long rows = 0;
            foreach (var day in days)
            {
                var batches = day.Rows.Chunk(100).ToList();
                await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) =>
                    await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct));
                var tops = day.Rows.Select(r => r.TopIp).OfType<string>().Distinct(StringComparer.Ordinal).Take(maxProfilesPerDay).ToList();
                await profiles.UpsertAsync(Tenant, day.Day, tops.Select(ip => day.Sources.Profiles.GetValueOrDefault(ip)).OfType<SourceProfile>().ToList(), day.Sources.Attributions);
                if (day.Coverage is { } c) await coverage.RecordAsync(Tenant, c.DayWindow, "benchmark", day.Rows.Count, quarantined: 0, c.DayWindow.To);
                rows += day.Rows.Count;
            }

            return rows;
        }

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
            if (_simulator is not null) await _simulator.DisposeAsync();
            if (_azurite is not null) await _azurite.DisposeAsync();
        }
    }
}
