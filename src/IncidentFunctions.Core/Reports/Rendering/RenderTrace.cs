using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>One shaped run exactly as the text engine drew it: page, typeface, size, glyphs with positions and text, colour, origin.</summary>
internal readonly record struct TracedTextRun(int Page, SKTypeface Typeface, float Size, GlyphRun Run, SKColor Color, float X, float Y);

/// <summary>
/// For benchmarks only: what one render drew, so the same drawing can be replayed into a fresh PDF with no layout
/// (the "Skia drawing the same glyphs" baseline). A render given a trace records every page as an
/// <see cref="SKPicture"/> (all drawing operations) and every shaped run the text engine draws (tables, headings and
/// chart labels alike), so a replay can write the same glyphs without shaping or layout. Rendering without a trace
/// does none of this.
/// </summary>
internal sealed class RenderTrace : IDisposable
{
    public List<SKPicture> Pages { get; } = [];

    public List<TracedTextRun> TextRuns { get; } = [];

    /// <summary>Typefaces made for this render only (pruned faces) that traced runs refer to; disposed with the trace.</summary>
    public List<IDisposable> Owned { get; } = [];

    /// <summary>The PDF settings the report was written with, so a replay writes the same kind of document.</summary>
    public SKDocumentPdfMetadata Metadata { get; set; }

    /// <summary>The page being drawn; set by the document before each page.</summary>
    public int PageIndex { get; set; }

    /// <summary>Records a drawn run (the engine's single hook).</summary>
    public void Text(SKCanvas canvas, SKTypeface typeface, float size, GlyphRun run, float x, float y, SKColor color)
    {
        var origin = canvas.TotalMatrix.MapPoint(x, y);
        TextRuns.Add(new TracedTextRun(PageIndex, typeface, size, run, color, origin.X, origin.Y));
    }

    public void Dispose()
    {
        foreach (var page in Pages) page.Dispose();
        Pages.Clear();
        foreach (var owned in Owned) owned.Dispose();
        Owned.Clear();
    }
}
