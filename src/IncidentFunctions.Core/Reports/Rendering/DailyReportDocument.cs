using System.Globalization;
using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Vocabulary;
using NodaTime;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>The PDF produced for a report: bytes, page count and outline titles.</summary>
public sealed record RenderedReport(byte[] Pdf, int Pages, IReadOnlyList<string> Outline);

/// <summary>
/// The daily report as a document: page size and margins, a running header and footer on every page, and the
/// sections in order (QuestPDF's compose-header/content/footer shape, drawn with SkiaSharp's PDF backend).
/// Layout runs first over the whole report, so every page knows the page count when it is drawn.
/// </summary>
public sealed class DailyReportDocument(DailyReport report, PageGeometry geometry)
{
    public const string Creator = "IncidentFunctions";

    public static PageGeometry GeometryFor(ReportPageSize size) => size == ReportPageSize.Letter ? PageGeometry.LetterLandscape : PageGeometry.A4Landscape;

    public RenderedReport Render() => Render(null);

    /// <summary>Renders; with a <paramref name="trace"/> (benchmarks), also records what every page drew.</summary>
    internal RenderedReport Render(RenderTrace? trace)
    {
        var zone = DateTimeZoneProviders.Tzdb[report.TimeZone];
        var format = new ReportFormat(zone, report.Day);
        using var text = new TextEngine(ReportFonts.Shared) { Trace = trace };
        var flow = new PageFlow(geometry);
        var context = new SectionContext(report, flow, text, format);
        foreach (var section in ComposeContent()) section.Compose(context);
        var chrome = new PageChrome(report, geometry, text, format).Prepare();
        text.PruneFallbackFaces();

        using var output = new MemoryStream();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = $"{report.Title} – {IsoDay}",
            Author = report.CompanyName ?? Creator,
            Subject = $"Wallarm incidents on {IsoDay} ({report.TimeZone}): {Numbers.Count(report.Incidents.Count, "incident", "incidents")}",
            Keywords = "Wallarm, WAF, incidents, daily report",
            Creator = Creator,
            Creation = report.GeneratedAt.UtcDateTime,
            Modified = report.GeneratedAt.UtcDateTime,
            RasterDpi = 150,
            EncodingQuality = 101,
        };
        trace?.Metadata = metadata;
        using (var document = SKDocument.CreatePdf(output, metadata))
        {
            foreach (var page in flow.Pages)
            {
                var canvas = document.BeginPage(geometry.Width, geometry.Height);
                if (trace is null)
                {
                    DrawPage(canvas, chrome, page, flow.Pages.Count);
                }
                else
                {
                    // Record the page, then play the recording into the PDF: the PDF gets the same drawing.
                    trace.PageIndex = page.Index;
                    using var recorder = new SKPictureRecorder();
                    DrawPage(recorder.BeginRecording(SKRect.Create(geometry.Width, geometry.Height)), chrome, page, flow.Pages.Count);
                    var picture = recorder.EndRecording();
                    trace.Pages.Add(picture);
                    canvas.DrawPicture(picture);
                }

                document.EndPage();
            }

            document.Close();
        }

        var outline = flow.Outline.ToList();
        var pdf = PdfOutline.Append(output.ToArray(), outline);
        return new RenderedReport(pdf, flow.Pages.Count, outline.Select(o => o.Title).ToList());
    }

    private static void DrawPage(SKCanvas canvas, PageChrome chrome, LaidOutPage page, int pages)
    {
        chrome.Draw(canvas, page.Index + 1, pages);
        foreach (var item in page.Items) item.Draw(canvas, item.Box);
    }

    private string IsoDay => Dates.Day(report.Day);

    private IEnumerable<IReportSection> ComposeContent()
    {
        yield return new HeaderSection();
        yield return new KeyFiguresSection();
        if (report.IsEmpty)
        {
            yield return new NoIncidentsSection();
        }
        else
        {
            yield return new ChartsSection();
            yield return new TopTablesSection();
            yield return new IncidentsSection();
        }

        yield return new AttributionsSection();
    }

    /// <summary>Running header (title, day, company) and footer (attributions, page X of Y) on every page.</summary>
    private sealed class PageChrome(DailyReport report, PageGeometry geometry, TextEngine text, ReportFormat format)
    {
        private readonly string _left = string.Join(" · ", new[] { report.Title, Dates.Day(report.Day) + " (" + report.TimeZone + ")", report.CompanyName }.Where(s => !string.IsNullOrEmpty(s)));
        private readonly string _generated = $"Generated {format.DateTime(report.GeneratedAt)} by {Creator}";
        private readonly string _attributions = report.Attributions.Count == 0 ? "" : "Data: " + string.Join(" · ", report.Attributions);

        /// <summary>Lays out (measures) the running text once, so its code points are known before any page is drawn.</summary>
        public PageChrome Prepare()
        {
            text.Measure(_left, Typography.RunningHeader);
            text.Measure(_generated, Typography.Footer);
            text.Measure(_attributions, Typography.Footer);
            return this;
        }

        public void Draw(SKCanvas canvas, int page, int pages)
        {
            var width = geometry.ContentWidth;
            var top = geometry.Margin;
            var style = Typography.RunningHeader;
            var pageText = string.Create(CultureInfo.InvariantCulture, $"Page {page} of {pages}");
            var pageWidth = text.Measure(pageText, style);
            text.Draw(canvas, text.SingleLine(_left, style, width - pageWidth - 20), style, geometry.ContentLeft, top);
            text.Draw(canvas, text.SingleLine(pageText, style, pageWidth + 1), style, geometry.ContentLeft + width - pageWidth, top);
            using var rule = new SKPaint { Color = Typography.Rule, StrokeWidth = 0.5f, IsStroke = true };
            canvas.DrawLine(geometry.ContentLeft, top + style.LineHeight + 2, geometry.ContentLeft + width, top + style.LineHeight + 2, rule);

            var footer = Typography.Footer;
            var footerTop = geometry.Height - geometry.Margin - geometry.FooterHeight + 8;
            canvas.DrawLine(geometry.ContentLeft, footerTop - 3, geometry.ContentLeft + width, footerTop - 3, rule);
            var generatedWidth = text.Measure(_generated, footer);
            text.Draw(canvas, text.SingleLine(_generated, footer, generatedWidth + 1), footer, geometry.ContentLeft + width - generatedWidth, footerTop);
            if (_attributions.Length > 0)
            {
                var lines = text.Wrap(_attributions, footer, width - generatedWidth - 24, 2);
                text.DrawLines(canvas, lines, footer, geometry.ContentLeft, footerTop);
            }
        }
    }
}
