using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime.CompilerServices;
using IncidentFunctions.Calendar;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Testing;
using NodaTime;
using SkiaSharp;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// End to end: the daily PDF for N incidents (model built from in-memory rows holding the columns the report reads,
/// laid out, drawn, outline added),
/// and, in the same run, two no-layout baselines replayed from a traced render of the same report into a fresh
/// SkiaSharp PDF with the same settings:
/// <list type="bullet">
/// <item>glyphs: every text run the report draws (same strings, typefaces, sizes, colours, positions and pages),
/// one <c>DrawText</c> each, nothing else — the issue's "Skia drawing the same glyphs with no layout";</item>
/// <item>pictures: every page's full drawing (text, table fills and rules, charts, links) recorded as an
/// <see cref="SKPicture"/> and played back — all drawing operations, no layout.</item>
/// </list>
/// Times are medians of several interleaved repetitions. Also reports allocations (model and render), peak working set
/// (inputs in memory, model, inputs dropped, render: the service's flow) and file size.
/// </summary>
internal static class ReportRenderBenchmark
{
    public static int Run(string[] args)
    {
        // --memory-only: pass 1 alone (allocated and peak working set of one render per size), no timed baselines.
        var memoryOnly = args.Contains("--memory-only");
        args = [.. args.Where(a => a != "--memory-only")];
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 1_000, 10_000];
        var day = new LocalDate(2026, 11, 20);
        var calendar = new ReportCalendar("UTC");
        var options = new ReportOptions { CompanyName = "Example Corp" };
        var console = new Uri("https://my.wallarm.com/");

        // A fresh process's first report (fonts, ScottPlot, JIT) is shown on its own, then warm up to steady state:
        // tiered JIT only promotes hot code after it has run for a while, so a single warm-up render is not enough.
        var cold = Stopwatch.StartNew();
        Render(ReportPreviewData.Create(100, day, hostile: false, asRead: true), calendar, options, console);
        var coldTime = cold.Elapsed;
        // At least 3 s, then until a whole round compiles no more methods (at most 30 s): on a loaded machine 3 s of
        // wall time is not enough CPU for the tiered JIT, which then recompiles in the background during the timed
        // renders and replays, and the process CPU time counts its thread too.
        var warm = ReportPreviewData.Create(300, day, asRead: true);
        var warmUntil = Stopwatch.StartNew();
        long compiled;
        do
        {
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            Render(warm, calendar, options, console);
            if (memoryOnly) continue; // the baselines are not run: their recordings would only grow the process measured
            using var trace = Trace(warm, calendar, options, console);
            ReplayGlyphs(trace);
            ReplayPictures(trace);
        }
        while (warmUntil.Elapsed < TimeSpan.FromSeconds(3) || (System.Runtime.JitInfo.GetCompiledMethodCount() > compiled && warmUntil.Elapsed < TimeSpan.FromSeconds(30)));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"First report in a fresh process (100 incidents, Latin only): {coldTime.TotalMilliseconds:N0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Warm-up: {warmUntil.Elapsed.TotalSeconds:N1} s, until a round compiled no more methods ({System.Runtime.JitInfo.GetCompiledMethodCount():N0} compiled)"));
        Console.WriteLine();
        Console.WriteLine("| incidents | data | report | glyphs, no layout | report / glyphs | report / glyphs, CPU time | all drawing ops, no layout | report / all ops | pages | PDF size | allocated | peak working set |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        // Pass 1, report only: allocations and peak memory of one render per size, before any baseline's recordings
        // (pictures, traced runs) have grown the process.
        var peakIsPerRender = true;
        var firsts = new Dictionary<(int, bool), (double Ms, long Allocated, long Peak)>();
        foreach (var n in sizes)
        {
            foreach (var hostile in new[] { false, true })
            {
                // The inputs are in memory when the peak is reset (as the service holds them once read); then, as the
                // service does, they are dropped once the model is built and released before rendering.
                var inputs = new StrongBox<DailyReportInputs?>(ReportPreviewData.Create(n, day, hostile: hostile, asRead: true));
                Collect();
                peakIsPerRender &= ResetPeakWorkingSet();
                var (report, modelMs, modelAllocated) = Model(inputs, calendar, options, console);
                ReportMemory.ReleaseInputsAsync(report.Incidents.Count).GetAwaiter().GetResult();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var stopwatch = Stopwatch.StartNew();
                new DailyReportDocument(report, PageGeometry.A4Landscape).Render();
                var ms = modelMs + stopwatch.Elapsed.TotalMilliseconds;
                var allocated = modelAllocated + GC.GetTotalAllocatedBytes(precise: true) - before;
                using var process = Process.GetCurrentProcess();
                firsts[(n, hostile)] = (ms, allocated, process.PeakWorkingSet64);
            }
        }

        if (memoryOnly)
        {
            foreach (var ((n, hostile), (ms, allocated, peak)) in firsts)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n:N0} incidents, {(hostile ? "1/7 hostile, every script" : "Latin only")}: first render {ms:N0} ms, allocated {allocated / 1048576.0:N0} MB, peak working set {peak / 1048576.0:N0} MB ({(peakIsPerRender ? "peak reset before the render" : "process peak so far")}; GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")})"));
            }

            return 0;
        }

        // Pass 2: times, the report interleaved with both baselines.
        long compiledDuringTimed = 0;
        foreach (var n in sizes)
        {
            var repetitions = n <= 1_000 ? 7 : 3;
            foreach (var hostile in new[] { false, true })
            {
                var inputs = ReportPreviewData.Create(n, day, hostile: hostile, asRead: true);
                var (_, allocated, peak) = firsts[(n, hostile)];
                var (reportTimes, glyphTimes, pictureTimes) = (new List<double>(), new List<double>(), new List<double>());
                // CPU time of the process as well: on a shared machine, wall time also counts waiting for a core.
                var (reportCpu, glyphCpu) = (new List<double>(), new List<double>());
                var stopwatch = new Stopwatch();
                using var trace = Trace(inputs, calendar, options, console);
                // Warm up on these very inputs: a size or a script the general warm-up did not reach has methods still
                // at tier 0 (and compiling on a background thread during the timed renders: CPU time above wall time).
                var (rounds, settled) = (0, false);
                while (!settled && rounds < 20)
                {
                    var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
                    Render(inputs, calendar, options, console);
                    ReplayGlyphs(trace);
                    ReplayPictures(trace);
                    Thread.Sleep(300); // lets the tiered JIT's background promotion run before the next count
                    settled = ++rounds >= 3 && System.Runtime.JitInfo.GetCompiledMethodCount() == compiledBefore;
                }

                RenderedReport rendered = null!;
                long glyphBytes = 0, pictureBytes = 0;
                var compiledBeforeTimed = System.Runtime.JitInfo.GetCompiledMethodCount();
                for (var r = 0; r < repetitions; r++)
                {
                    Collect();
                    var cpu = CpuMs();
                    stopwatch.Restart();
                    rendered = Render(inputs, calendar, options, console);
                    reportTimes.Add(stopwatch.Elapsed.TotalMilliseconds);
                    reportCpu.Add(CpuMs() - cpu);

                    Collect();
                    var glyphStart = CpuMs();
                    stopwatch.Restart();
                    glyphBytes = ReplayGlyphs(trace);
                    glyphTimes.Add(stopwatch.Elapsed.TotalMilliseconds);
                    glyphCpu.Add(CpuMs() - glyphStart);

                    Collect();
                    stopwatch.Restart();
                    pictureBytes = ReplayPictures(trace);
                    pictureTimes.Add(stopwatch.Elapsed.TotalMilliseconds);
                }

                compiledDuringTimed += System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBeforeTimed;
                var (report, glyphs, pictures) = (Median(reportTimes), Median(glyphTimes), Median(pictureTimes));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n:N0} | {(hostile ? "1/7 hostile, every script" : "Latin only")} | {report:N0} ms | {glyphs:N0} ms ({trace.TextRuns.Count:N0} runs, {glyphBytes / 1024:N0} KB) | {report / glyphs:0.00}× | {Median(reportCpu) / Median(glyphCpu):0.00}× | {pictures:N0} ms ({pictureBytes / 1024:N0} KB) | {report / pictures:0.00}× | {rendered.Pages:N0} | {rendered.Pdf.Length / 1024.0:N0} KB | {allocated / 1048576.0:N0} MB | {peak / 1048576.0:N0} MB |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Times: medians of {string.Join(" / ", sizes.Select(n => n <= 1_000 ? 7 : 3))} interleaved repetitions after a warm-up on the same inputs ({compiledDuringTimed:N0} methods compiled during them). Allocated and peak working set: one render per row in a first pass without baselines, its inputs dropped once the model is built (as the service drops them), "
            + (peakIsPerRender ? "peak reset just before it (/proc/self/clear_refs)." : "process peak so far (could not reset it)."));
        return 0;
    }

    /// <summary>
    /// Verb <c>report-loop N REPS [--replay | --model] [--hostile] [--alloc] [--save FILE]</c>: renders one day of N
    /// incidents (or replays its glyphs, or only builds its model) until the tiered JIT compiles no more, then REPS
    /// times more, and prints the time per render with the garbage collections, their pause and the allocations of
    /// those REPS; <c>--alloc</c> adds the sampled allocations by type (the runtime's AllocationTick events),
    /// <c>--save</c> writes one render's PDF to FILE. A process to attach <c>perf record -p</c> or dotnet-trace to.
    /// </summary>
    public static int Loop(string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var reps = int.Parse(args[1], CultureInfo.InvariantCulture);
        var replay = args.Contains("--replay");
        var modelOnly = args.Contains("--model");
        var day = new LocalDate(2026, 11, 20);
        var calendar = new ReportCalendar("UTC");
        var options = new ReportOptions { CompanyName = "Example Corp" };
        var console = new Uri("https://my.wallarm.com/");
        var inputs = ReportPreviewData.Create(n, day, hostile: args.Contains("--hostile"), asRead: true);
        using var trace = Trace(inputs, calendar, options, console);
        if (Array.IndexOf(args, "--save") is var save and >= 0)
        {
            if (save + 1 >= args.Length || args[save + 1].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException("--save needs the PDF's file name after it.");
            File.WriteAllBytes(args[save + 1], Render(inputs, calendar, options, console).Pdf.ToArray());
        }
        void Once()
        {
            if (replay) ReplayGlyphs(trace);
            else if (modelOnly) DailyReportBuilder.Build(inputs, calendar, options, console);
            else Render(inputs, calendar, options, console);
        }

        var rounds = 0;
        long compiled;
        do
        {
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            for (var i = 0; i < 3; i++) Once();
            Thread.Sleep(300); // lets the tiered JIT's background promotion run before the next count
            rounds++;
        }
        while (rounds < 5 || System.Runtime.JitInfo.GetCompiledMethodCount() > compiled);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Warm after {rounds} rounds ({System.Runtime.JitInfo.GetCompiledMethodCount():N0} methods compiled); load {File.ReadAllText("/proc/loadavg").Trim()}"));
        using var listener = args.Contains("--alloc") ? new AllocationSampler() : null;
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < reps; i++) Once();
        var elapsed = stopwatch.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(replay ? "glyph replay" : modelOnly ? "model" : "report")}: {elapsed.TotalMilliseconds / reps:F1} ms per render; per render {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0 / reps:F1} MB allocated, {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds / reps:F1} ms GC pause; collections over {reps}: gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}"));
        listener?.Print();
        return 0;
    }

    /// <summary>Sums the runtime's allocation samples (one per ~100 KB allocated) by heap and type.</summary>
    private sealed class AllocationSampler : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not "GCAllocationTick_V4" || eventData.Payload is null || eventData.PayloadNames is null) return;
            var kind = Convert.ToInt32(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationKind")], CultureInfo.InvariantCulture);
            var type = (string?)eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")];
            var amount = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate($"{(kind == 1 ? "large" : kind == 2 ? "pinned" : "small")} {type}", amount, (_, total) => total + amount);
        }

        public void Print()
        {
            foreach (var (what, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(30))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F1} MB  {what}"));
            }
        }
    }

    private static double CpuMs()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Linux: resets the process's peak resident set size (VmHWM) to the current size.</summary>
    private static bool ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static RenderedReport Render(DailyReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri console)
    {
        var report = DailyReportBuilder.Build(inputs, calendar, options, console);
        return new DailyReportDocument(report, PageGeometry.A4Landscape).Render();
    }

    /// <summary>Builds the model and drops the inputs; returns the model with the time and allocations of building it.</summary>
    private static (DailyReport Report, double Ms, long Allocated) Model(StrongBox<DailyReportInputs?> inputs, ReportCalendar calendar, ReportOptions options, Uri console)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var report = DailyReportBuilder.Build(inputs.Value!, calendar, options, console);
        inputs.Value = null;
        return (report, Stopwatch.GetElapsedTime(started).TotalMilliseconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    private static RenderTrace Trace(DailyReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri console)
    {
        var report = DailyReportBuilder.Build(inputs, calendar, options, console);
        var trace = new RenderTrace();
        new DailyReportDocument(report, PageGeometry.A4Landscape).Render(trace);
        return trace;
    }

    /// <summary>
    /// Baseline 1: the report's shaped runs (same glyph ids, positions, text, typefaces, sizes, colours and pages), each
    /// written into a text blob by the renderer's own emitter and drawn into native memory as <c>ReportPdf</c> writes;
    /// no shaping, measuring or wrapping.
    /// </summary>
    private static long ReplayGlyphs(RenderTrace trace)
    {
        var geometry = PageGeometry.A4Landscape;
        var fonts = new Dictionary<(SKTypeface, float), SKFont>();
        using var output = new SKDynamicMemoryWStream();
        using var paint = new SKPaint { IsAntialias = true };
        using var builder = new SKTextBlobBuilder();
        using (var document = SKDocument.CreatePdf(output, trace.Metadata))
        {
            var runs = trace.TextRuns;
            var next = 0;
            for (var page = 0; page < trace.Pages.Count; page++)
            {
                var canvas = document.BeginPage(geometry.Width, geometry.Height);
                for (; next < runs.Count && runs[next].Page == page; next++)
                {
                    var run = runs[next];
                    if (!fonts.TryGetValue((run.Typeface, run.Size), out var font))
                    {
                        // The same font settings the text engine draws with.
                        font = new SKFont(run.Typeface, run.Size) { Hinting = SKFontHinting.None, LinearMetrics = true, Subpixel = true, Edging = SKFontEdging.Antialias };
                        fonts[(run.Typeface, run.Size)] = font;
                    }

                    var at = GlyphEmitter.AddRun(builder, font, run.Run, run.Size);
                    using var blob = builder.Build();
                    paint.Color = run.Color;
                    if (blob is not null) canvas.DrawText(blob, run.X + at, run.Y, paint);
                }

                document.EndPage();
            }

            document.Close();
        }

        foreach (var font in fonts.Values) font.Dispose();
        return output.BytesWritten;
    }

    /// <summary>Baseline 2: every page's recorded drawing (all operations) played back into native memory; no layout.</summary>
    private static long ReplayPictures(RenderTrace trace)
    {
        var geometry = PageGeometry.A4Landscape;
        using var output = new SKDynamicMemoryWStream();
        using (var document = SKDocument.CreatePdf(output, trace.Metadata))
        {
            foreach (var picture in trace.Pages)
            {
                document.BeginPage(geometry.Width, geometry.Height).DrawPicture(picture);
                document.EndPage();
            }

            document.Close();
        }

        return output.BytesWritten;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
