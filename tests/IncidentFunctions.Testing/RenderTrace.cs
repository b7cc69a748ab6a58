using IncidentFunctions.Reports.Rendering;
using SkiaSharp;

namespace IncidentFunctions.Testing;

/// <summary>One text run exactly as the text engine drew it: page, face, size, colour, baseline origin and text.</summary>
public readonly record struct TracedTextRun(int Page, SKTypeface Typeface, float Size, SKColor Color, float X, float Y, string Text);

/// <summary>
/// What one render drew, so the same drawing can be replayed into a fresh PDF with no layout (the report benchmark's
/// "Skia drawing the same glyphs" baseline): every page as an <see cref="SKPicture"/> (all drawing operations,
/// charts included) and every text run the report's text engine drew. Pass it to
/// <c>DailyReportDocument.Render(IRenderObserver)</c>; the PDF it renders is drawn from the recordings.
/// </summary>
public sealed class RenderTrace : IRenderObserver, IDisposable
{
    private SKPictureRecorder? _recorder;
    private int _page;

    public List<SKPicture> Pages { get; } = [];

    public List<TracedTextRun> TextRuns { get; } = [];

    /// <summary>Typefaces made for this render only (pruned fallback slices) that traced runs refer to; disposed with the trace.</summary>
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

    void IRenderObserver.TextDrawn(SKCanvas canvas, SKTypeface typeface, float size, SKColor color, float x, float baseline, string text)
    {
        var origin = canvas.TotalMatrix.MapPoint(x, baseline);
        TextRuns.Add(new TracedTextRun(_page, typeface, size, color, origin.X, origin.Y, text));
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
