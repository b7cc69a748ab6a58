using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// Watches one render as it draws: the seam measuring tools use (the report benchmark records the drawing here to
/// replay it without layout). A render without an observer calls nothing and records nothing.
/// </summary>
internal interface IRenderObserver
{
    /// <summary>The PDF settings the document is written with, before the first page.</summary>
    void DocumentStarting(SKDocumentPdfMetadata metadata);

    /// <summary>
    /// Page <paramref name="index"/> is about to be drawn on <paramref name="pdfCanvas"/>; the page is drawn on the canvas
    /// returned. An observer returning a canvas of its own must draw what it received onto <paramref name="pdfCanvas"/>
    /// in <see cref="PageDrawn"/>.
    /// </summary>
    SKCanvas PageStarting(int index, SKCanvas pdfCanvas, SKRect bounds);

    /// <summary>Page <paramref name="index"/> is complete; the document ends the PDF page after this.</summary>
    void PageDrawn(int index, SKCanvas pdfCanvas);

    /// <summary>The text engine drew the shaped <paramref name="run"/> at (<paramref name="x"/>, <paramref name="baseline"/>) in <paramref name="canvas"/>'s coordinates.</summary>
    void TextDrawn(SKCanvas canvas, SKTypeface typeface, float size, SKColor color, float x, float baseline, GlyphRun run);

    /// <summary>
    /// A typeface made for this render only (a face pruned to the glyphs drawn). With an observer the text engine does not dispose
    /// it, since what the observer recorded may refer to it: the observer owns it from here on.
    /// </summary>
    void TypefaceCreated(SKTypeface typeface);
}
