using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>One text blob exactly as the text engine drew it: page, glyphs with their font and positions, colour, origin.</summary>
internal readonly record struct TracedTextRun(int Page, SKTextBlob Blob, SKColor Color, float X, float Y);

/// <summary>
/// For benchmarks only: what one render drew, so the same drawing can be replayed into a fresh PDF with no layout
/// (the "Skia drawing the same glyphs" baseline). A render given a trace records every page as an
/// <see cref="SKPicture"/> (all drawing operations) and every text blob the text engine draws (tables, headings and
/// chart labels alike). Rendering without a trace does none of this.
/// </summary>
internal sealed class RenderTrace : IDisposable
{
    public List<SKPicture> Pages { get; } = [];

    public List<TracedTextRun> TextRuns { get; } = [];

    /// <summary>Blobs and typefaces made for this render only (pruned faces) that traced runs refer to; disposed with the trace.</summary>
    public List<IDisposable> Owned { get; } = [];

    /// <summary>The PDF settings the report was written with, so a replay writes the same kind of document.</summary>
    public SKDocumentPdfMetadata Metadata { get; set; }

    /// <summary>The page being drawn; set by the document before each page.</summary>
    public int PageIndex { get; set; }

    /// <summary>Records a drawn blob (the trace takes ownership of it).</summary>
    public void Text(SKCanvas canvas, SKTextBlob blob, float x, float y, SKColor color)
    {
        var origin = canvas.TotalMatrix.MapPoint(x, y);
        TextRuns.Add(new TracedTextRun(PageIndex, blob, color, origin.X, origin.Y));
        Owned.Add(blob);
    }

    public void Dispose()
    {
        foreach (var page in Pages) page.Dispose();
        Pages.Clear();
        foreach (var owned in Owned) owned.Dispose();
        Owned.Clear();
    }
}
