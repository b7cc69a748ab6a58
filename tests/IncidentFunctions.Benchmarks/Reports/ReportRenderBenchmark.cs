using System.Diagnostics;
using System.Globalization;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using NodaTime;
using SkiaSharp;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// End to end: the daily PDF for N incidents (model built from in-memory rows, laid out, drawn, outline added),
/// and, in the same run, SkiaSharp drawing the same strings onto the same number of pages with no layout at all
/// (one DrawText per string at fixed positions, primary font only). Reports time, allocations, peak working set
/// and file size.
/// </summary>
internal static class ReportRenderBenchmark
{
    public static int Run(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 1_000, 10_000];
        var day = new LocalDate(2026, 11, 20);
        var calendar = new ReportCalendar("UTC");
        var options = new ReportOptions { CompanyName = "Example Corp" };
        var console = new Uri("https://my.wallarm.com/");

        // Warm-up: JIT, font loading, ScottPlot's first render.
        Render(ReportPreviewData.Create(50, day), calendar, options, console);

        Console.WriteLine("| incidents | data | report | raw Skia (same strings, no layout) | report / raw | pages | PDF size | allocated | peak working set |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var n in sizes)
        {
            foreach (var hostile in new[] { false, true })
            {
                var inputs = ReportPreviewData.Create(n, day, hostile: hostile);
                GC.Collect();
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var stopwatch = Stopwatch.StartNew();
                var (report, rendered) = Render(inputs, calendar, options, console);
                var reportTime = stopwatch.Elapsed;
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

                stopwatch.Restart();
                var rawBytes = DrawRaw(report, rendered.Pages);
                var rawTime = stopwatch.Elapsed;
                using var process = Process.GetCurrentProcess();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n:N0} | {(hostile ? "1/7 hostile, CJK" : "Latin only")} | {reportTime.TotalMilliseconds:N0} ms | {rawTime.TotalMilliseconds:N0} ms ({rawBytes / 1024:N0} KB) | {reportTime / rawTime:0.00}× | {rendered.Pages:N0} | {rendered.Pdf.Length / 1024.0:N0} KB | {allocated / 1048576.0:N0} MB | {process.PeakWorkingSet64 / 1048576.0:N0} MB |"));
            }
        }

        return 0;
    }

    private static (DailyReport, RenderedReport) Render(DailyReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri console)
    {
        var report = DailyReportBuilder.Build(inputs, calendar, options, console);
        return (report, new DailyReportDocument(report, PageGeometry.A4Landscape).Render());
    }

    /// <summary>The baseline: every incident string drawn once, in rows, on as many pages as the report has.</summary>
    private static long DrawRaw(DailyReport report, int pages)
    {
        var strings = report.Incidents.SelectMany(i => new[]
        {
            i.FirstSeen.ToString("HH:mm", CultureInfo.InvariantCulture), i.Id, i.AttackType, i.Hits.ToString(CultureInfo.InvariantCulture),
            i.TopIp ?? "", i.Country ?? "", i.Domain ?? "", i.Path ?? "", i.Parameter ?? "", i.VulnerabilityTitle ?? "",
        }).ToList();
        var geometry = PageGeometry.A4Landscape;
        using var output = new MemoryStream();
        using var typeface = SKTypeface.FromData(SKData.CreateCopy(ReportFontsAccess.PrimarySfnt()));
        using var font = new SKFont(typeface, 7);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using (var document = SKDocument.CreatePdf(output))
        {
            var perPage = (int)Math.Ceiling(strings.Count / (double)Math.Max(1, pages));
            for (var p = 0; p < pages; p++)
            {
                var canvas = document.BeginPage(geometry.Width, geometry.Height);
                var slice = strings.Skip(p * perPage).Take(perPage).ToList();
                for (var k = 0; k < slice.Count; k++)
                {
                    canvas.DrawText(slice[k], 40 + (k % 8 * 95), 60 + (k / 8 * 9 % 500), font, paint);
                }

                document.EndPage();
            }

            document.Close();
        }

        return output.Length;
    }
}
