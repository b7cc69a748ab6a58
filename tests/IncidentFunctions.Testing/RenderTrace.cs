using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;

namespace IncidentFunctions.Testing;

/// <summary>One shaped run exactly as the text engine drew it: page, face, size, glyphs with positions, colour, baseline origin.</summary>
internal readonly record struct TracedTextRun(int Page, SKTypeface Typeface, float Size, GlyphRun Run, SKColor Color, float X, float Y)
{
    /// <summary>The characters the run draws.</summary>
    public string Text => Run.Text.Substring(Run.Start, Run.Length);
}

/// <summary>
/// What one render drew, so the same drawing can be replayed into a fresh PDF with no layout (the report benchmark's
/// "Skia drawing the same glyphs" baseline): every page as an <see cref="SKPicture"/> (all drawing operations,
/// charts included) and every shaped run the report's text engine drew (tables, headings and chart labels alike). Pass it to
/// <c>DailyReportDocument.Render(IRenderObserver)</c>; the PDF it renders is drawn from the recordings.
/// </summary>
public sealed class RenderTrace : IRenderObserver, IDisposable
{
    private SKPictureRecorder? _recorder;
    private int _page;

    public List<SKPicture> Pages { get; } = [];

    internal List<TracedTextRun> TextRuns { get; } = [];

    /// <summary>Typefaces made for this render only (pruned faces) that traced runs refer to; disposed with the trace.</summary>
    public List<IDisposable> Owned { get; } = [];

    /// <summary>The PDF settings the report was written with, so a replay writes the same kind of document.</summary>
    public SKDocumentPdfMetadata Metadata { get; private set; }

    void IRenderObserver.DocumentStarting(SKDocumentPdfMetadata metadata) => Metadata = metadata;

    SKCanvas IRenderObserver.PageStarting(int index, SKCanvas pdfCanvas, SKRect bounds)
    {
        // Record the page; PageDrawn plays the recording into the PDF, so the PDF gets the same drawing.
        _page = index;
        _recorder = new SKPictureRecorder();
        return _recorder.BeginRecording(bounds);
    }

    void IRenderObserver.PageDrawn(int index, SKCanvas pdfCanvas)
    {
        using var recorder = _recorder ?? throw new InvalidOperationException("PageDrawn without PageStarting.");
        _recorder = null;
        var picture = recorder.EndRecording();
        Pages.Add(picture);
        pdfCanvas.DrawPicture(picture);
    }

    void IRenderObserver.TextDrawn(SKCanvas canvas, SKTypeface typeface, float size, SKColor color, float x, float baseline, GlyphRun run)
    {
        var origin = canvas.TotalMatrix.MapPoint(x, baseline);
        TextRuns.Add(new TracedTextRun(_page, typeface, size, run, color, origin.X, origin.Y));
    }

    void IRenderObserver.TypefaceCreated(SKTypeface typeface) => Owned.Add(typeface);

    public void Dispose()
    {
        _recorder?.Dispose();
        _recorder = null;
        foreach (var page in Pages) page.Dispose();
        Pages.Clear();
        foreach (var owned in Owned) owned.Dispose();
        Owned.Clear();
    }
}
