using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>One text run exactly as the text engine drew it: face, size, colour, baseline origin and text.</summary>
internal readonly record struct TracedTextRun(int Page, SKTypeface Typeface, float Size, SKColor Color, float X, float Y, string Text);

/// <summary>
/// For benchmarks only: what one render drew, so the same drawing can be replayed into a fresh PDF with no layout
/// (the "Skia drawing the same glyphs" baseline). A render given a trace records every page as an
/// <see cref="SKPicture"/> (all drawing operations, charts included) and every text run the <see cref="TextEngine"/>
/// draws. Rendering without a trace does none of this.
/// </summary>
internal sealed class RenderTrace : IDisposable
{
    public List<SKPicture> Pages { get; } = [];

    public List<TracedTextRun> TextRuns { get; } = [];

    /// <summary>Typefaces made for this render only (pruned fallback slices) that traced runs refer to; disposed with the trace.</summary>
    public List<IDisposable> Owned { get; } = [];

    /// <summary>The PDF settings the report was written with, so a replay writes the same kind of document.</summary>
    public SKDocumentPdfMetadata Metadata { get; set; }

    /// <summary>The page being drawn; set by the document before each page.</summary>
    public int PageIndex { get; set; }

    public void Dispose()
    {
        foreach (var page in Pages) page.Dispose();
        Pages.Clear();
        foreach (var owned in Owned) owned.Dispose();
        Owned.Clear();
    }
}
