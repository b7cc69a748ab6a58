using System.Globalization;
using System.Text;
using IncidentFunctions.Text;
using HB = HarfBuzzSharp;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Turns one line of text into positioned glyphs: bidi runs (ICU), then runs of one face each (the role's fallback
/// chain; marks, joiners, variation selectors and emoji modifiers stay with their base's face), then HarfBuzz per
/// face run with the whole line as context (Arabic joining, Indic reordering, Thai marks, emoji sequences).
/// Text made only of characters that need no shaping (Latin, Greek, Cyrillic, CJK ideographs, Hangul syllables,
/// single emoji) takes a fast path that gives exactly what HarfBuzz gives for it: nominal glyphs at their advances
/// (for those faces HarfBuzz runs without kerning and optional ligatures, as the report always drew them).
/// </summary>
internal static class Shaper
{
    /// <summary>Features for the faces the fast path also draws, so both paths place these glyphs identically.</summary>
    private static readonly HB.Feature[] PlainFeatures = [Feature("-kern"), Feature("-liga"), Feature("-clig")];
    private static readonly HB.Language English = new("en");

    [ThreadStatic]
    private static HB.Buffer? _buffer;

    /// <summary>The fast path's runs, reused: <see cref="ShapeLine"/> copies them into the line (one list less per text).</summary>
    [ThreadStatic]
    private static List<GlyphRun>? _simpleRuns;

    /// <summary>Lays out <paramref name="text"/> as one line (no wrapping) at <paramref name="paragraphLevel"/> (0 LTR, 1 RTL).</summary>
    public static TextLine ShapeLine(string text, FontRole role, byte paragraphLevel, Func<FontRole, int, CodePointGlyph> resolve, FontFace escapeFace)
    {
        if (text.Length == 0) return TextLine.Empty;
        var runs = paragraphLevel == 0 ? ShapeSimple(text, role, resolve, escapeFace) : null;
        if (runs is null)
        {
            runs = [];
            foreach (var bidiRun in Bidi.VisualRuns(text, paragraphLevel))
            {
                var items = Itemize(text, bidiRun.Start, bidiRun.Length, role, resolve);
                if (bidiRun.IsRtl) items.Reverse(); // face runs inside a right-to-left run go right to left too
                foreach (var (face, start, length) in items)
                {
                    runs.Add(face is null ? Escape(text, start, length, escapeFace) : Shape(text, start, length, face, bidiRun.IsRtl));
                }
            }
        }

        var x = 0f;
        foreach (var run in runs)
        {
            run.X = x;
            x += run.Width;
        }

        return new TextLine([.. runs], x, text);
    }

    /// <summary>True for code points that draw as their nominal glyph at its advance, whatever surrounds them.</summary>
    public static bool IsSimple(int cp)
    {
        switch (CharUnicodeInfo.GetUnicodeCategory(cp))
        {
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned:
            case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                return false;
        }

        return cp switch
        {
            < 0x0590 => true,
            < 0x1E00 => false, // Hebrew to Mongolian, Hangul jamo: complex scripts
            < 0xA4D0 => true, // Latin/Greek extended, punctuation, symbols, CJK, kana, Yi
            >= 0xAC00 and <= 0xD7A3 => true, // Hangul syllables
            >= 0xF900 and <= 0xFAFF => true,
            >= 0xFE10 and <= 0xFE6F => true,
            >= 0xFF00 and <= 0xFFEF => true,
            >= 0x1F1E6 and <= 0x1F1FF => false, // regional indicators pair into flags
            >= 0x1F3FB and <= 0x1F3FF => false, // skin tones modify the emoji before them
            >= 0x1F000 and <= 0x1FAFF => true,
            >= 0x20000 and <= 0x3FFFF => true,
            _ => false,
        };
    }

    /// <summary>Splits [start, start + length) into runs of one face (null face: an escape).</summary>
    private static List<(FontFace? Face, int Start, int Length)> Itemize(string text, int start, int length, FontRole role, Func<FontRole, int, CodePointGlyph> resolve)
    {
        var result = new List<(FontFace?, int, int)>();
        FontFace? current = null;
        var inRun = false;
        var runStart = start;
        var previous = -1;
        for (var i = start; i < start + length;)
        {
            var cp = CodePointAt(text, i, out var n);
            FontFace? face;
            if (current is not null && (StaysWithBase(cp) || Bidi.IsControl((char)cp) || (previous == 0x200D && current.GlyphOf(cp) != 0)
                || (IsCommon(cp) && !current.IsEmoji && current.GlyphOf(cp) != 0)))
            {
                face = current;
            }
            else
            {
                face = resolve(role, cp).Face;
                if (face is null && Bidi.IsControl((char)cp)) face = current; // our isolates: invisible, never escaped
            }

            if (!inRun || face != current)
            {
                if (inRun) result.Add((current, runStart, i - runStart));
                current = face;
                runStart = i;
                inRun = true;
            }

            previous = cp;
            i += n;
        }

        if (inRun) result.Add((current, runStart, start + length - runStart));

        // A leading isolate with no face of its own joins the run after it.
        if (result.Count > 1 && result[0].Item1 is null && IsAllControls(text, result[0].Item2, result[0].Item3))
        {
            result[1] = (result[1].Item1, result[0].Item2, result[0].Item3 + result[1].Item3);
            result.RemoveAt(0);
        }

        return result;
    }

    private static bool IsAllControls(string text, int start, int length)
    {
        for (var i = start; i < start + length; i++)
        {
            if (!Bidi.IsControl(text[i])) return false;
        }

        return true;
    }

    /// <summary>
    /// The fast path in one pass: null as soon as a code point needs shaping. Faces switch as <see cref="Itemize"/>
    /// would switch them (ASCII digits and punctuation stay in the current face when it has them).
    /// </summary>
    private static List<GlyphRun>? ShapeSimple(string text, FontRole role, Func<FontRole, int, CodePointGlyph> resolve, FontFace escapeFace)
    {
        var glyphs = new ushort[text.Length];
        var advances = new float[text.Length];
        var clusters = new int[text.Length];
        var runs = _simpleRuns ??= [];
        runs.Clear();
        FontFace? current = null;
        var inRun = false;
        var runStart = 0;
        var first = 0; // index of the run's first glyph in the arrays
        var n = 0;
        for (var i = 0; i < text.Length;)
        {
            var cp = CodePointAt(text, i, out var width);
            var info = resolve(role, cp);
            if (!info.Simple) return null;
            var face = info.Face;
            ushort glyph = info.Glyph;
            var advance = info.Advance;
            if (current is not null && face != current && IsCommon(cp) && !current.IsEmoji && current.GlyphOf(cp) is var own and not 0)
            {
                face = current;
                glyph = own;
                advance = current.Advance(own);
            }

            if (!inRun || face != current)
            {
                if (inRun) runs.Add(SimpleRun(text, current, runStart, i - runStart, glyphs, advances, clusters, first, n - first, escapeFace));
                current = face;
                runStart = i;
                first = n;
                inRun = true;
            }

            glyphs[n] = glyph;
            advances[n] = advance;
            clusters[n] = i;
            n++;
            i += width;
        }

        if (inRun) runs.Add(SimpleRun(text, current, runStart, text.Length - runStart, glyphs, advances, clusters, first, n - first, escapeFace));
        return runs;
    }

    private static GlyphRun SimpleRun(string text, FontFace? face, int start, int length, ushort[] glyphs, float[] advances, int[] clusters, int first, int count, FontFace escapeFace)
    {
        if (face is null) return Escape(text, start, length, escapeFace);
        var width = 0f;
        for (var k = first; k < first + count; k++) width += advances[k];

        // The usual case, one run for the whole text: its arrays are the run's, no copy.
        var whole = first == 0 && count == glyphs.Length;
        return new GlyphRun
        {
            Face = face,
            Text = text,
            Start = start,
            Length = length,
            Glyphs = whole ? glyphs : glyphs.AsSpan(first, count).ToArray(),
            Advances = whole ? advances : advances.AsSpan(first, count).ToArray(),
            Clusters = whole ? clusters : clusters.AsSpan(first, count).ToArray(),
            IsSimple = true,
            Width = width,
        };
    }

    /// <summary>Code points no font has, drawn as their escapes in the mono face.</summary>
    private static GlyphRun Escape(string text, int start, int length, FontFace mono)
    {
        var sb = new StringBuilder();
        for (var i = start; i < start + length;)
        {
            var cp = CodePointAt(text, i, out var n);
            if (!Bidi.IsControl((char)cp)) sb.Append(UntrustedText.Escape(cp));
            i += n;
        }

        var escape = sb.ToString();
        var glyphs = new ushort[escape.Length];
        var advances = new float[escape.Length];
        var clusters = new int[escape.Length];
        var width = 0f;
        for (var i = 0; i < escape.Length; i++)
        {
            glyphs[i] = mono.GlyphOf(escape[i]);
            advances[i] = mono.Advance(glyphs[i]);
            clusters[i] = i;
            width += advances[i];
        }

        return new GlyphRun
        {
            Face = mono,
            Text = escape,
            Start = 0,
            Length = escape.Length,
            Glyphs = glyphs,
            Advances = advances,
            Clusters = clusters,
            IsEscape = true,
            IsSimple = true,
            SourceStart = start,
            SourceLength = length,
            Width = width,
        };
    }

    private static GlyphRun Shape(string text, int start, int length, FontFace face, bool rtl)
    {
        var buffer = _buffer ??= new HB.Buffer();
        buffer.ClearContents();
        buffer.AddUtf16(text, start, length); // the whole line as context; clusters are indices into it
        buffer.Direction = rtl ? HB.Direction.RightToLeft : HB.Direction.LeftToRight;
        buffer.Language = English; // not the process locale: the same text shapes the same everywhere
        buffer.Flags = HB.BufferFlags.RemoveDefaultIgnorables; // isolates and joiners leave no glyph behind
        buffer.GuessSegmentProperties();
        if (face.IsComplexScript || face.IsEmoji) face.Shaper.Shape(buffer);
        else face.Shaper.Shape(buffer, PlainFeatures);

        var infos = buffer.GetGlyphInfoSpan();
        var positions = buffer.GetGlyphPositionSpan();
        var count = infos.Length;
        float upem = face.UnitsPerEm; // divide, as FontFace.Advance does, so both paths round the same
        var glyphs = new ushort[count];
        var advances = new float[count];
        var clusters = new int[count];
        float[]? offsetsX = null, offsetsY = null;
        var width = 0f;
        for (var i = 0; i < count; i++)
        {
            glyphs[i] = (ushort)infos[i].Codepoint; // after shaping: the glyph id
            clusters[i] = (int)infos[i].Cluster;
            advances[i] = positions[i].XAdvance / upem;
            width += advances[i];
            if (positions[i].XOffset != 0) (offsetsX ??= new float[count])[i] = positions[i].XOffset / upem;
            if (positions[i].YOffset != 0) (offsetsY ??= new float[count])[i] = positions[i].YOffset / upem;
        }

        return new GlyphRun
        {
            Face = face,
            Text = text,
            Start = start,
            Length = length,
            Glyphs = glyphs,
            Advances = advances,
            OffsetsX = offsetsX,
            OffsetsY = offsetsY,
            Clusters = clusters,
            IsRtl = rtl,
            Width = width,
        };
    }

    /// <summary>Characters that belong to the cluster before them: marks, joiners, variation selectors, emoji modifiers and tags.</summary>
    private static bool StaysWithBase(int cp) =>
        cp is 0x200C or 0x200D or (>= 0xFE00 and <= 0xFE0F) or (>= 0x1F3FB and <= 0x1F3FF) or (>= 0xE0020 and <= 0xE007F) or 0x20E3 or (>= 0xE0100 and <= 0xE01EF)
        || CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>Space, digits and ASCII punctuation: kept in the current face when it has them (fewer runs, same look as the neighbours).</summary>
    private static bool IsCommon(int cp) => cp < 0x80 && !char.IsAsciiLetter((char)cp);

    private static int CodePointAt(string text, int index, out int length)
    {
        if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(text[index], text[index + 1]);
        }

        length = 1;
        return text[index];
    }

    private static HB.Feature Feature(string text) => HB.Feature.TryParse(text, out var feature) ? feature : throw new InvalidOperationException($"Bad HarfBuzz feature '{text}'.");
}
