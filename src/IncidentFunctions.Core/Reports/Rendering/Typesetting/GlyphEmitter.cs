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
internal static class GlyphEmitter
{
    public static void AddRun(SKTextBlobBuilder builder, SKFont font, GlyphRun run, float size)
    {
        var n = run.Glyphs.Length;
        if (n == 0) return;

        // UTF-8 of the run's characters, and the byte offset at which each character starts.
        var span = run.Text.AsSpan(run.Start, run.Length);
        if (run.IsSimple && !span.ContainsAnyExceptInRange('\u0020', '\u007E'))
        {
            AddAsciiRun(builder, font, run, size, span);
            return;
        }

        var byteAt = new int[run.Length + 1];
        var utf8 = new byte[Encoding.UTF8.GetMaxByteCount(run.Length)];
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

        // Visual positions (size 1 → points), then written in logical order.
        var x = new float[n];
        var pen = run.X;
        for (var k = 0; k < n; k++)
        {
            x[k] = (pen + (run.OffsetsX?[k] ?? 0)) * size;
            pen += run.Advances[k];
        }

        if (length == 0)
        {
            var plain = builder.AllocatePositionedRun(font, n);
            for (var k = 0; k < n; k++)
            {
                var i = run.IsRtl ? n - 1 - k : k;
                plain.Glyphs[k] = run.Glyphs[i];
                plain.Positions[k] = new SKPoint(x[i], -(run.OffsetsY?[i] ?? 0) * size);
            }

            return;
        }

        var buffer = builder.AllocatePositionedTextRun(font, n, length);
        var glyphs = buffer.Glyphs;
        var positions = buffer.Positions;
        var textClusters = buffer.Clusters;
        for (var k = 0; k < n; k++)
        {
            var i = run.IsRtl ? n - 1 - k : k;
            glyphs[k] = run.Glyphs[i];
            positions[k] = new SKPoint(x[i], -(run.OffsetsY?[i] ?? 0) * size);
            textClusters[k] = (uint)byteAt[Math.Clamp(clusters[i] - run.Start, 0, run.Length)];
        }

        utf8.AsSpan(0, length).CopyTo(buffer.Text);
    }

    /// <summary>The common case: printable ASCII, one glyph per character, left to right; byte offsets are character offsets.</summary>
    private static void AddAsciiRun(SKTextBlobBuilder builder, SKFont font, GlyphRun run, float size, ReadOnlySpan<char> text)
    {
        var n = run.Glyphs.Length;
        var buffer = builder.AllocatePositionedTextRun(font, n, text.Length);
        var glyphs = buffer.Glyphs;
        var positions = buffer.Positions;
        var clusters = buffer.Clusters;
        var pen = run.X;
        for (var k = 0; k < n; k++)
        {
            glyphs[k] = run.Glyphs[k];
            positions[k] = new SKPoint(pen * size, 0);
            clusters[k] = (uint)(run.Clusters[k] - run.Start);
            pen += run.Advances[k];
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
