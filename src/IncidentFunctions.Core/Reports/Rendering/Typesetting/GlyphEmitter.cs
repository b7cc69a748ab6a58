using System.Buffers;
using System.Text;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Writes a shaped run into a Skia text blob with its text, so the PDF says which characters each glyph stands for
/// (copy, search and screen readers get the text, not glyph ids). Glyphs go in logical order (a right-to-left run is
/// reversed; positions stay visual), and every word whose glyphs cannot be mapped to its characters one by one (any
/// right-to-left word, ligatures, reordered or decomposed clusters) gets a single cluster, for which Skia writes one
/// <c>/ActualText</c> span. Read back with PdfPig's <c>UseActualText</c>, such words come out whole and in logical
/// order. The directional isolates the report adds around values are left out of the text.
/// </summary>
/// <remarks>
/// Positions are relative to the run's start and advance the way Skia's PDF backend advances its pen: the font-unit
/// advance times <c>size / unitsPerEm</c>, summed in single precision. The backend writes a glyph that sits exactly
/// there into the same string as the one before it, and any other glyph with a move of its own (<c>x 0 Td</c>): with
/// positions summed in em units and scaled afterwards, nearly every glyph of a report had a move, a page's content
/// was five times its text, and writing and compressing it was a third of a report's render. Kerning and marks still
/// move their glyphs, exactly where the layout put them.
/// </remarks>
internal static class GlyphEmitter
{
    /// <summary>Adds <paramref name="run"/>; returns where (points from the line's start) the blob is to be drawn.</summary>
    public static float AddRun(SKTextBlobBuilder builder, SKFont font, GlyphRun run, float size)
    {
        var target = new BlobTarget(builder, font);
        return Emit(ref target, run, size);
    }

    /// <summary>
    /// Writes <paramref name="run"/>'s glyphs, positions, clusters and text into the buffers <paramref name="target"/>
    /// allocates (a blob being built, or a recording replayed into blobs later); returns where (points from the line's
    /// start) the run is to be drawn.
    /// </summary>
    public static float Emit<TTarget>(ref TTarget target, GlyphRun run, float size)
        where TTarget : struct, IGlyphRunTarget
    {
        var n = run.Glyphs.Length;
        var origin = run.X * size;
        if (n == 0) return origin;

        var span = run.Text.AsSpan(run.Start, run.Length);
        if (run.IsSimple && !span.ContainsAnyExceptInRange('\u0020', '\u007E'))
        {
            AddAsciiRun(target.Allocate(n, span.Length), run, size, span);
            return origin;
        }

        // Scratch per run (a report has thousands): pooled, not allocated.
        var byteAt = ArrayPool<int>.Shared.Rent(run.Length + 1);
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(run.Length));
        var x = ArrayPool<float>.Shared.Rent(n);
        try
        {
            Add(ref target, run, size, byteAt, utf8, x);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(byteAt);
            ArrayPool<byte>.Shared.Return(utf8);
            ArrayPool<float>.Shared.Return(x);
        }

        return origin;
    }

    private static void Add<TTarget>(ref TTarget target, GlyphRun run, float size, int[] byteAt, byte[] utf8, float[] x)
        where TTarget : struct, IGlyphRunTarget
    {
        var n = run.Glyphs.Length;

        // UTF-8 of the run's characters, and the byte offset at which each character starts.
        var length = 0;
        for (var j = 0; j < run.Length;)
        {
            byteAt[j] = length;
            var c = run.Text[run.Start + j];
            var width = char.IsHighSurrogate(c) && j + 1 < run.Length && char.IsLowSurrogate(run.Text[run.Start + j + 1]) ? 2 : 1;
            if (width == 2) byteAt[j + 1] = length;
            if (!Bidi.IsControl(c)) length += Encoding.UTF8.GetBytes(run.Text.AsSpan(run.Start + j, width), utf8.AsSpan(length));
            j += width;
        }

        byteAt[run.Length] = length;
        var clusters = run.IsSimple ? run.Clusters : WordClusters(run);

        // Visual positions in points from the run's start, then written in logical order.
        var scale = PdfScale(size, run.Face.UnitsPerEm);
        var pen = 0f;
        for (var k = 0; k < n; k++)
        {
            x[k] = pen + ((run.OffsetsX?[k] ?? 0) * size);
            pen += PdfAdvance(run.Advances[k], scale, run.Face.UnitsPerEm);
        }

        // A run of directional controls only has no text: glyphs and positions, no clusters.
        var buffer = target.Allocate(n, length);
        for (var k = 0; k < n; k++)
        {
            var i = run.IsRtl ? n - 1 - k : k;
            buffer.Glyphs[k] = run.Glyphs[i];
            buffer.Positions[k] = new SKPoint(x[i], -(run.OffsetsY?[i] ?? 0) * size);
            if (length > 0) buffer.Clusters[k] = (uint)byteAt[Math.Clamp(clusters[i] - run.Start, 0, run.Length)];
        }

        utf8.AsSpan(0, length).CopyTo(buffer.Text);
    }

    /// <summary>Skia's <c>advanceScale</c>: <c>textSize * scaleX / emSize</c> in single precision.</summary>
    internal static float PdfScale(float size, int unitsPerEm) => size * 1f / unitsPerEm;

    /// <summary>
    /// An advance in em units (font units ÷ units per em, as the shaper gives it) as Skia's PDF backend computes a
    /// glyph's: its font units times <paramref name="scale"/>.
    /// </summary>
    internal static float PdfAdvance(float advanceEm, float scale, int unitsPerEm) => scale * MathF.Round(advanceEm * unitsPerEm);

    /// <summary>The common case: printable ASCII, one glyph per character, left to right; byte offsets are character offsets.</summary>
    private static void AddAsciiRun(GlyphRunBuffers buffer, GlyphRun run, float size, ReadOnlySpan<char> text)
    {
        var n = run.Glyphs.Length;
        var glyphs = buffer.Glyphs;
        var positions = buffer.Positions;
        var clusters = buffer.Clusters;
        var scale = PdfScale(size, run.Face.UnitsPerEm);
        var pen = 0f;
        for (var k = 0; k < n; k++)
        {
            glyphs[k] = run.Glyphs[k];
            positions[k] = new SKPoint(pen, 0);
            clusters[k] = (uint)(run.Clusters[k] - run.Start);
            pen += PdfAdvance(run.Advances[k], scale, run.Face.UnitsPerEm);
        }

        var bytes = buffer.Text;
        for (var j = 0; j < text.Length; j++) bytes[j] = (byte)text[j];
    }

    /// <summary>Per glyph, the cluster to give Skia: the word's start for words that need one ActualText span, else HarfBuzz's own.</summary>
    private static int[] WordClusters(GlyphRun run)
    {
        var text = run.Text;
        var start = run.Start;
        var end = run.Start + run.Length;
        var result = (int[])run.Clusters.Clone();
        var wordStart = new int[run.Length];
        for (int i = start, ws = start; i < end; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                wordStart[i - start] = i;
                ws = i + 1;
            }
            else
            {
                wordStart[i - start] = ws;
            }
        }

        var glyphsPerCluster = new Dictionary<int, int>();
        foreach (var c in run.Clusters) glyphsPerCluster[c] = glyphsPerCluster.GetValueOrDefault(c) + 1;
        var starts = glyphsPerCluster.Keys.Order().ToArray();
        var complex = new HashSet<int>();
        for (var k = 0; k < starts.Length; k++)
        {
            var c = starts[k];
            var next = k + 1 < starts.Length ? starts[k + 1] : end;
            var codePoints = 0;
            for (var i = c; i < next; i += char.IsSurrogatePair(text, i) ? 2 : 1) codePoints++;
            if (run.IsRtl || codePoints != 1 || glyphsPerCluster[c] != 1) complex.Add(wordStart[c - start]);
        }

        // Glyphs that come out of order in logical emission (a Devanagari i-matra before its consonant).
        var previous = -1;
        for (var k = 0; k < run.Clusters.Length; k++)
        {
            var c = run.Clusters[run.IsRtl ? run.Clusters.Length - 1 - k : k];
            if (c < previous) complex.Add(wordStart[c - start]);
            previous = Math.Max(previous, c);
        }

        for (var g = 0; g < result.Length; g++)
        {
            var c = run.Clusters[g];
            if (c >= start && c < end && !char.IsWhiteSpace(text[c]) && complex.Contains(wordStart[c - start])) result[g] = wordStart[c - start];
        }

        return result;
    }
}

/// <summary>Where <see cref="GlyphEmitter"/> writes a run: buffers for its glyphs, positions and (with text) clusters and UTF-8.</summary>
internal interface IGlyphRunTarget
{
    /// <summary>Buffers for <paramref name="glyphs"/> glyphs and <paramref name="textBytes"/> bytes of text; no clusters or text when 0.</summary>
    GlyphRunBuffers Allocate(int glyphs, int textBytes);
}

/// <summary>A run's buffers, to be filled by <see cref="GlyphEmitter"/>.</summary>
internal readonly ref struct GlyphRunBuffers(Span<ushort> glyphs, Span<SKPoint> positions, Span<uint> clusters, Span<byte> text)
{
    public Span<ushort> Glyphs { get; } = glyphs;

    public Span<SKPoint> Positions { get; } = positions;

    public Span<uint> Clusters { get; } = clusters;

    public Span<byte> Text { get; } = text;
}

/// <summary>Writes runs straight into a Skia text blob being built.</summary>
internal readonly struct BlobTarget(SKTextBlobBuilder builder, SKFont font) : IGlyphRunTarget
{
    public GlyphRunBuffers Allocate(int glyphs, int textBytes)
    {
        if (textBytes == 0)
        {
            var plain = builder.AllocateRawPositionedRun(font, glyphs);
            return new GlyphRunBuffers(plain.Glyphs, plain.Positions, [], []);
        }

        var buffer = builder.AllocateRawPositionedTextRun(font, glyphs, textBytes);
        return new GlyphRunBuffers(buffer.Glyphs, buffer.Positions, buffer.Clusters, buffer.Text);
    }
}
