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

/// <summary>Running header (<paramref name="left"/>: title, period, company) and footer (attributions, generation, page X of Y) on every page.</summary>
internal sealed class PageChrome(PageGeometry geometry, TextEngine text, string left, string generated, IReadOnlyList<string> attributions)
{
    private readonly List<TextLine> _pageLines = [];
    private readonly List<float> _pageWidths = [];
    private float _generatedWidth;
    private TextLine _generatedLine = TextLine.Empty;
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

        var footer = Typography.Footer;
        _generatedWidth = text.Measure(generated, footer);
        _generatedLine = text.SingleLine(generated, footer, _generatedWidth + 1);
        if (attributionText.Length > 0) _attributionLines = text.Wrap(attributionText, footer, geometry.ContentWidth - _generatedWidth - 24, 2);
        _leftLines = _pageWidths.Select(w => text.SingleLine(left, style, geometry.ContentWidth - w - 20)).ToList();
        return this;
    }

    public void Draw(SKCanvas canvas, int page)
    {
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
