using System.Globalization;
using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>Writes laid-out pages as a PDF with the running header and footer, and appends the outline (every report document).</summary>
internal static class ReportPdf
{
    public static RenderedReport Write(PageGeometry geometry, PageFlow flow, PageChrome chrome, SKDocumentPdfMetadata metadata, IRenderObserver? observer)
    {
        observer?.DocumentStarting(metadata);
        // Skia writes a PDF in thousands of small pieces (each token of each link annotation). Into a managed stream,
        // every piece is a call from native code back into .NET; into native memory, copied out once, a render is
        // about 6 % faster.
        using var written = new SKDynamicMemoryWStream();
        using (var document = SKDocument.CreatePdf(written, metadata))
        {
            foreach (var page in flow.Pages)
            {
                var canvas = document.BeginPage(geometry.Width, geometry.Height);
                if (observer is null)
                {
                    DrawPage(canvas, chrome, page);
                }
                else
                {
                    DrawPage(observer.PageStarting(page.Index, canvas, SKRect.Create(geometry.Width, geometry.Height)), chrome, page);
                    observer.PageDrawn(page.Index, canvas);
                }

                document.EndPage();
            }

            document.Close();
        }

        using var output = PdfBuffer.TakeFrom(written);
        var outline = flow.Outline.ToList();
        PdfOutline.Append(output, outline);
        return new RenderedReport(output.ToArray(), flow.Pages.Count, outline.Select(o => o.Title).ToList());
    }

    private static void DrawPage(SKCanvas canvas, PageChrome chrome, LaidOutPage page)
    {
        chrome.Draw(canvas, page.Index + 1);
        if (page.Stripes.Count > 0)
        {
            using var stripes = new SKPath();
            foreach (var stripe in page.Stripes) stripes.AddRect(stripe);
            canvas.DrawPath(stripes, Table.ZebraFillPaint);
        }

        foreach (var item in page.Items) item.Draw(canvas, item.Box);
        if (page.Rules.Count > 0)
        {
            using var rules = new SKPath();
            foreach (var (y, left, right) in page.Rules)
            {
                rules.MoveTo(left, y);
                rules.LineTo(right, y);
            }

            canvas.DrawPath(rules, Table.RulePaint);
        }
    }
}

/// <summary>
/// Running header (<paramref name="left"/>: title, period, company; then the <paramref name="marking"/>, if any, and
/// page X of Y at the right) and footer (attributions; the marking and the generation line at the right) on every page.
/// </summary>
internal sealed class PageChrome(PageGeometry geometry, TextEngine text, string left, string generated, IReadOnlyList<string> attributions, string? marking = null)
{
    /// <summary>Room between the marking and what stands beside it.</summary>
    private const float MarkingGap = 12;

    private readonly List<TextLine> _pageLines = [];
    private readonly List<float> _pageWidths = [];
    private float _generatedWidth;
    private TextLine _generatedLine = TextLine.Empty;
    private float _markingWidth;
    private TextLine? _markingLine;
    private IReadOnlyList<TextLine> _attributionLines = [];
    private List<TextLine> _leftLines = [];

    /// <summary>Lays out all running text before any page is drawn, so every glyph is known when fonts are pruned.</summary>
    public PageChrome Prepare(int pages)
    {
        var attributionText = attributions.Count == 0 ? "" : "Data: " + string.Join(" · ", attributions.Select(Bidi.Isolate));
        var style = Typography.RunningHeader;
        for (var page = 1; page <= pages; page++)
        {
            var pageText = string.Create(CultureInfo.InvariantCulture, $"Page {page} of {pages}");
            var width = text.Measure(pageText, style);
            _pageWidths.Add(width);
            _pageLines.Add(text.SingleLine(pageText, style, width + 1));
        }

        if (!string.IsNullOrEmpty(marking))
        {
            // At most a third of the width: cut with an ellipsis rather than crowd out the title.
            var isolated = Bidi.Isolate(marking);
            _markingLine = text.SingleLine(isolated, Typography.Marking, Math.Min(text.Measure(isolated, Typography.Marking) + 1, geometry.ContentWidth / 3));
            _markingWidth = _markingLine.Width * Typography.Marking.Size; // as cut: placed by what is drawn
        }

        var footer = Typography.Footer;
        _generatedWidth = text.Measure(generated, footer);
        _generatedLine = text.SingleLine(generated, footer, _generatedWidth + 1);
        if (attributionText.Length > 0) _attributionLines = text.Wrap(attributionText, footer, geometry.ContentWidth - Math.Max(_generatedWidth, _markingWidth) - 24, 2);
        var markingRoom = _markingLine is null ? 0 : _markingWidth + MarkingGap;
        _leftLines = _pageWidths.Select(w => text.SingleLine(left, style, geometry.ContentWidth - w - markingRoom - 20)).ToList();
        return this;
    }

    public void Draw(SKCanvas canvas, int page)
    {
        var width = geometry.ContentWidth;
        var right = geometry.ContentLeft + width;
        var top = geometry.Margin;
        var style = Typography.RunningHeader;
        var pageWidth = _pageWidths[page - 1];
        text.Draw(canvas, _leftLines[page - 1], style, geometry.ContentLeft, top);
        text.Draw(canvas, _pageLines[page - 1], style, right - pageWidth, top);
        using var rule = new SKPaint { Color = Typography.Rule, StrokeWidth = 0.5f, IsStroke = true };
        canvas.DrawLine(geometry.ContentLeft, top + style.LineHeight + 2, right, top + style.LineHeight + 2, rule);

        var footer = Typography.Footer;
        var footerTop = geometry.Height - geometry.Margin - geometry.FooterHeight + 8;
        canvas.DrawLine(geometry.ContentLeft, footerTop - 3, right, footerTop - 3, rule);
        var generatedTop = footerTop;
        if (_markingLine is { } markingLine)
        {
            text.Draw(canvas, markingLine, Typography.Marking, right - pageWidth - MarkingGap - _markingWidth, top);
            text.Draw(canvas, markingLine, Typography.Marking, right - _markingWidth, footerTop);
            generatedTop += Typography.Marking.LineHeight;
        }

        text.Draw(canvas, _generatedLine, footer, right - _generatedWidth, generatedTop);
        if (_attributionLines.Count > 0) text.DrawLines(canvas, _attributionLines, footer, geometry.ContentLeft, footerTop);
    }
}
