using IncidentFunctions.Calendar;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Testing;
using NodaTime;
using SkiaSharp;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// Writes a multilingual, hostile report as PDF and as one PNG per page (the very drawing the PDF got, rasterised by
/// Skia) to <c>report-preview/</c> beside the test binaries, for a person to look at: every script, the charts, the
/// compact and the detailed incident tables.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class ReportPreviewTests
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "report-preview");

    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_MultilingualHostileReport_WritesPdfAndPagePngs(ReportLayout layout)
    {
        var inputs = ReportPreviewData.Create(120, new LocalDate(2026, 11, 20));
        var options = new ReportOptions { CompanyName = "Example Corp · شركة المثال · 예시 회사", Layout = layout };
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), options, new Uri("https://my.wallarm.com/"));
        using var trace = new RenderTrace();
        var rendered = new DailyReportDocument(report, PageGeometry.A4Landscape).Render(trace);

        Directory.CreateDirectory(Folder);
        var name = layout.ToString().ToLowerInvariant();
        File.WriteAllBytes(Path.Combine(Folder, $"multilingual-{name}.pdf"), rendered.Pdf);
        for (var page = 0; page < trace.Pages.Count; page++)
        {
            using var bitmap = new SKBitmap(842 * 2, 595 * 2);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColors.White);
                canvas.Scale(2);
                canvas.DrawPicture(trace.Pages[page]);
            }

            // Something was drawn beyond the white page.
            Assert.Contains(bitmap.Pixels, p => p != SKColors.White);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 90);
            File.WriteAllBytes(Path.Combine(Folder, $"multilingual-{name}-{page + 1:D2}.png"), png.ToArray());
        }

        Assert.Equal(rendered.Pages, trace.Pages.Count);
    }
}
