using System.Globalization;
using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Reports.Rendering.Typesetting;
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

    /// <summary>Renders; an <paramref name="observer"/> (measuring tools) is told what every page draws.</summary>
    internal RenderedReport Render(IRenderObserver? observer)
    {
        var zone = DateTimeZoneProviders.Tzdb[report.TimeZone];
        var format = new ReportFormat(zone, report.Day);
        using var text = new TextEngine(ReportFonts.Shared) { Observer = observer };
        var flow = new PageFlow(geometry);
        var context = new SectionContext(report, flow, text, format);
        foreach (var section in ComposeContent()) section.Compose(context);
        var chrome = new PageChrome(report, geometry, text, format).Prepare(flow.Pages.Count);
        text.PruneFaces();

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
        observer?.DocumentStarting(metadata);
        using (var document = SKDocument.CreatePdf(output, metadata))
        {
            foreach (var page in flow.Pages)
            {
                var canvas = document.BeginPage(geometry.Width, geometry.Height);
                if (observer is null)
                {
                    DrawPage(canvas, chrome, page, flow.Pages.Count);
                }
                else
                {
                    DrawPage(observer.PageStarting(page.Index, canvas, SKRect.Create(geometry.Width, geometry.Height)), chrome, page, flow.Pages.Count);
                    observer.PageDrawn(page.Index, canvas);
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
        private readonly List<TextLine> _pageLines = [];
        private readonly List<float> _pageWidths = [];
        private string _left = "";
        private string _generated = "";
        private string _attributions = "";
        private float _generatedWidth;
        private TextLine _generatedLine = TextLine.Empty;
        private IReadOnlyList<TextLine> _attributionLines = [];
        private List<TextLine> _leftLines = [];

        /// <summary>Lays out all running text before any page is drawn, so every glyph is known when fonts are pruned.</summary>
        public PageChrome Prepare(int pages)
        {
            _left = string.Join(" · ", new[] { report.Title, Dates.Day(report.Day) + " (" + report.TimeZone + ")", report.CompanyName }.Where(s => !string.IsNullOrEmpty(s)).Select(s => Bidi.Isolate(s!)));
            _generated = $"Generated {format.DateTime(report.GeneratedAt)} by {Creator}";
            _attributions = report.Attributions.Count == 0 ? "" : "Data: " + string.Join(" · ", report.Attributions.Select(Bidi.Isolate));
            var style = Typography.RunningHeader;
            for (var page = 1; page <= pages; page++)
            {
                var pageText = string.Create(CultureInfo.InvariantCulture, $"Page {page} of {pages}");
                var width = text.Measure(pageText, style);
                _pageWidths.Add(width);
                _pageLines.Add(text.SingleLine(pageText, style, width + 1));
            }

            var footer = Typography.Footer;
            _generatedWidth = text.Measure(_generated, footer);
            _generatedLine = text.SingleLine(_generated, footer, _generatedWidth + 1);
            if (_attributions.Length > 0) _attributionLines = text.Wrap(_attributions, footer, geometry.ContentWidth - _generatedWidth - 24, 2);
            _leftLines = _pageWidths.Select(w => text.SingleLine(_left, style, geometry.ContentWidth - w - 20)).ToList();
            return this;
        }

        public void Draw(SKCanvas canvas, int page, int pages)
        {
            _ = pages;
            var width = geometry.ContentWidth;
            var top = geometry.Margin;
            var style = Typography.RunningHeader;
            var pageWidth = _pageWidths[page - 1];
            text.Draw(canvas, _leftLines[page - 1], style, geometry.ContentLeft, top);
            text.Draw(canvas, _pageLines[page - 1], style, geometry.ContentLeft + width - pageWidth, top);
            using var rule = new SKPaint { Color = Typography.Rule, StrokeWidth = 0.5f, IsStroke = true };
            canvas.DrawLine(geometry.ContentLeft, top + style.LineHeight + 2, geometry.ContentLeft + width, top + style.LineHeight + 2, rule);

            var footer = Typography.Footer;
            var footerTop = geometry.Height - geometry.Margin - geometry.FooterHeight + 8;
            canvas.DrawLine(geometry.ContentLeft, footerTop - 3, geometry.ContentLeft + width, footerTop - 3, rule);
            text.Draw(canvas, _generatedLine, footer, geometry.ContentLeft + width - _generatedWidth, footerTop);
            if (_attributionLines.Count > 0) text.DrawLines(canvas, _attributionLines, footer, geometry.ContentLeft, footerTop);
        }
    }
}
