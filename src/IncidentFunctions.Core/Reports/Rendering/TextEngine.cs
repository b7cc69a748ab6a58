using System.Buffers;
using System.Text;
using IncidentFunctions.Text;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>A piece of a line set in one face; <see cref="IsEscape"/> marks a code point no font could draw.</summary>
internal readonly record struct TextRun(FontFace Face, string Text, float Width, bool IsEscape);

/// <summary>One laid-out line: runs left to right and the total advance at size 1 (scale by the style's size).</summary>
internal sealed record TextLine(TextRun[] Runs, float Width)
{
    public static TextLine Empty { get; } = new([], 0);
}

/// <summary>
/// Measures, wraps and draws text with the embedded fonts. Widths come from each glyph's advance (no kerning or
/// shaping), which is exactly what <see cref="SKCanvas.DrawText(string, float, float, SKFont, SKPaint)"/> draws, so
/// measured and drawn widths agree. Code points without a glyph in any font are drawn as <c>[U+XXXX]</c> escapes.
/// Not thread-safe: one engine per document.
/// </summary>
internal sealed class TextEngine(ReportFonts fonts) : IDisposable
{
    private const int SharedGlyphLimit = 0x3000;
    private readonly Dictionary<(FontRole, int), Glyph> _glyphs = [];
    private readonly Dictionary<(FontFace Face, float Size), SKFont> _skFonts = [];
    private readonly Dictionary<FontFace, (FontFace Face, HashSet<int> CodePoints)> _pruned = [];
    private readonly Dictionary<int, float> _unitAdvances = [];
    private readonly SKPaint _paint = new() { IsAntialias = true };

    public ReportFonts Fonts => fonts;

    /// <summary>Benchmarks only: when set, every drawn run is also recorded here.</summary>
    public RenderTrace? Trace { get; set; }

    /// <summary>Width in points of <paramref name="text"/> on one line.</summary>
    public float Measure(string text, TextStyle style)
    {
        var width = 0f;
        foreach (var atom in Atoms(text, style.Role)) width += atom.Advance;
        return width * style.Size;
    }

    /// <summary>Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/> points.</summary>
    /// <remarks>
    /// Lines break after spaces and after path or query punctuation; a word wider than the line (a long token, a
    /// path without slashes) is broken between characters, so nothing is ever drawn past the column edge. Beyond
    /// <paramref name="maxLines"/> the last line ends with an ellipsis.
    /// </remarks>
    public List<TextLine> Wrap(string text, TextStyle style, float maxWidth, int maxLines = int.MaxValue)
    {
        var limit = maxWidth / style.Size;
        if (FitsAsOneRun(text, style.Role, limit) is { } single) return [single];

        var lines = new List<TextLine>();
        var atoms = Atoms(text, style.Role).ToList();
        var start = 0;
        while (start < atoms.Count)
        {
            if (atoms[start].IsNewLine)
            {
                lines.Add(TextLine.Empty);
                start++;
                continue;
            }

            var width = 0f;
            var end = start;
            var lastBreak = -1;
            while (end < atoms.Count && !atoms[end].IsNewLine)
            {
                var next = width + atoms[end].Advance;
                if (next > limit && end > start && !atoms[end].IsSpace) break;
                width = next;
                if (atoms[end].BreakAfter) lastBreak = end + 1;
                end++;
            }

            if (end < atoms.Count && !atoms[end].IsNewLine && lastBreak > start) end = lastBreak;
            lines.Add(BuildLine(atoms, start, end));
            start = end;
            if (start < atoms.Count && atoms[start].IsNewLine && end > 0) start++;
            while (start < atoms.Count && atoms[start].IsSpace) start++;
            if (lines.Count == maxLines && start < atoms.Count)
            {
                lines[^1] = Ellipsize(lines[^1], style, limit);
                break;
            }
        }

        if (lines.Count == 0) lines.Add(TextLine.Empty);
        return lines;
    }

    /// <summary>
    /// The common case without building atoms: text that fits on one line in a single face, with no escapes, line
    /// breaks or trailing spaces. Gives exactly the line the general path would (same run text, same width sum).
    /// </summary>
    private TextLine? FitsAsOneRun(string text, FontRole role, float limit)
    {
        if (text.Length == 0 || text[^1] == ' ') return null;
        FontFace? face = null;
        var width = 0f;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != OperationStatus.Done || rune.Value == '\n') return null;
            i += used;
            var glyph = GlyphFor(role, rune.Value);
            if (glyph.IsEscape || (face is not null && glyph.Face != face)) return null;
            face = glyph.Face;
            width += glyph.Advance;
            if (width > limit) return null;
        }

        return new TextLine([new TextRun(face!, text, width, false)], width);
    }

    /// <summary>One line, cut with an ellipsis when wider than <paramref name="maxWidth"/>.</summary>
    public TextLine SingleLine(string text, TextStyle style, float maxWidth) => Wrap(text, style, maxWidth, 1)[0];

    /// <summary>Draws a line with its top-left corner at (<paramref name="x"/>, <paramref name="top"/>).</summary>
    public void Draw(SKCanvas canvas, TextLine line, TextStyle style, float x, float top)
    {
        var baseline = top + style.Ascent;
        foreach (var run in line.Runs)
        {
            var face = run.Face;
            if (_pruned.Count > 0 && _pruned.TryGetValue(face, out var pruned) && Covers(pruned.CodePoints, run.Text)) face = pruned.Face;
            _paint.Color = run.IsEscape ? Typography.Escape : style.Color;
            canvas.DrawText(run.Text, x, baseline, SkFont(face, style.Size), _paint);
            if (Trace is { } trace)
            {
                var origin = canvas.TotalMatrix.MapPoint(x, baseline);
                trace.TextRuns.Add(new TracedTextRun(trace.PageIndex, face.Typeface, style.Size, _paint.Color, origin.X, origin.Y, run.Text));
            }

            x += run.Width * style.Size;
        }
    }

    /// <summary>
    /// Once layout is complete and before drawing: every CJK fallback slice the document's text resolved to is
    /// replaced, for drawing, by a copy holding only the glyphs of the code points laid out (the PDF backend embeds
    /// font files whole). A run with a code point the copy lacks still draws with the full slice: never a lost glyph.
    /// </summary>
    public void PruneFallbackFaces()
    {
        var used = new Dictionary<FontFace, HashSet<int>>();
        foreach (var ((_, cp), glyph) in _glyphs)
        {
            if (glyph.IsEscape || glyph.Face.PrunableSfnt is null) continue;
            if (!used.TryGetValue(glyph.Face, out var codePoints)) used[glyph.Face] = codePoints = [];
            codePoints.Add(cp);
        }

        foreach (var (face, codePoints) in used)
        {
            var glyphIds = codePoints.Order().Select(cp => face.Typeface.GetGlyph(cp));
            var typeface = SKTypeface.FromData(SKData.CreateCopy(TrueTypeGlyphPruner.KeepOnly(face.PrunableSfnt!, glyphIds)));
            if (typeface is null) continue;
            _pruned[face] = (new FontFace(face.Id, face.Name, typeface), codePoints);
            Trace?.Owned.Add(typeface); // traced runs outlive this engine
        }
    }

    /// <summary>Draws wrapped lines from <paramref name="top"/>; returns the height used.</summary>
    public float DrawLines(SKCanvas canvas, IReadOnlyList<TextLine> lines, TextStyle style, float x, float top, float width = 0, TextAlign align = TextAlign.Left)
    {
        var y = top;
        foreach (var line in lines)
        {
            var dx = align switch
            {
                TextAlign.Right => width - (line.Width * style.Size),
                TextAlign.Center => (width - (line.Width * style.Size)) / 2,
                _ => 0,
            };
            Draw(canvas, line, style, x + dx, y);
            y += style.LineHeight;
        }

        return y - top;
    }

    /// <summary>
    /// Replaces every code point the role's primary face lacks with its escape, for text drawn by a library that
    /// does no font fallback (chart labels).
    /// </summary>
    public string ToPrimaryFaceText(string text, FontRole role)
    {
        var face = fonts.Primary(role);
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (face.Typeface.GetGlyph(rune.Value) != 0) sb.Append(rune.ToString());
            else sb.Append(UntrustedText.Escape(rune.Value));
        }

        return sb.ToString();
    }

    public void Dispose()
    {
        foreach (var font in _skFonts.Values) font.Dispose();
        _skFonts.Clear();
        if (Trace is null)
        {
            foreach (var (face, _) in _pruned.Values) face.Typeface.Dispose();
        }

        _pruned.Clear();
        _paint.Dispose();
    }

    private SKFont SkFont(FontFace face, float size)
    {
        if (!_skFonts.TryGetValue((face, size), out var font))
        {
            font = new SKFont(face.Typeface, size) { Hinting = SKFontHinting.None, LinearMetrics = true, Subpixel = true, Edging = SKFontEdging.Antialias };
            _skFonts[(face, size)] = font;
        }

        return font;
    }

    private static bool Covers(HashSet<int> codePoints, string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!codePoints.Contains(rune.Value)) return false;
        }

        return true;
    }

    private static TextLine BuildLine(List<Atom> atoms, int start, int end)
    {
        while (end > start && atoms[end - 1].IsSpace) end--;
        var runs = new List<TextRun>();
        var sb = new StringBuilder();
        FontFace? face = null;
        var escape = false;
        var runWidth = 0f;
        var total = 0f;
        for (var i = start; i < end; i++)
        {
            var a = atoms[i];
            if (a.Text.Length == 0) continue;
            if (face is not null && (a.Face != face || a.IsEscape != escape))
            {
                runs.Add(new TextRun(face, sb.ToString(), runWidth, escape));
                sb.Clear();
                runWidth = 0;
            }

            face = a.Face;
            escape = a.IsEscape;
            sb.Append(a.Text);
            runWidth += a.Advance;
            total += a.Advance;
        }

        if (face is not null) runs.Add(new TextRun(face, sb.ToString(), runWidth, escape));
        return new TextLine([.. runs], total);
    }

    private TextLine Ellipsize(TextLine line, TextStyle style, float limit)
    {
        var ellipsis = Atoms(UntrustedText.Ellipsis, style.Role).First();
        var runs = line.Runs.ToList();
        var width = line.Width;
        while (runs.Count > 0 && width + ellipsis.Advance > limit)
        {
            var last = runs[^1];
            runs.RemoveAt(runs.Count - 1);
            width -= last.Width;
            if (last.IsEscape || last.Text.Length <= 1) continue;

            // Shorten the last run one character at a time until the ellipsis fits.
            var text = last.Text;
            var w = last.Width;
            while (text.Length > 0 && width + w + ellipsis.Advance > limit)
            {
                var cut = char.IsLowSurrogate(text[^1]) && text.Length > 1 ? 2 : 1;
                var removed = text[^cut..];
                text = text[..^cut];
                w -= Advance(last.Face, char.ConvertToUtf32(removed, 0));
            }

            if (text.Length > 0)
            {
                runs.Add(last with { Text = text, Width = w });
                width += w;
            }
        }

        runs.Add(new TextRun(ellipsis.Face, ellipsis.Text, ellipsis.Advance, false));
        return new TextLine([.. runs], width + ellipsis.Advance);
    }

    private IEnumerable<Atom> Atoms(string text, FontRole role)
    {
        var previousWide = false;
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                rune = Rune.ReplacementChar;
                i += 1;
            }
            else
            {
                i += rune.Utf16SequenceLength;
            }

            var cp = rune.Value;
            if (cp == '\n')
            {
                yield return Atom.NewLine;
                previousWide = false;
                continue;
            }

            var glyph = GlyphFor(role, cp);
            var wide = IsWideBreakable(cp);

            // CJK text has no spaces: allow a break before each ideograph too.
            if (wide && !previousWide && i > rune.Utf16SequenceLength) yield return Atom.BreakHint;
            previousWide = wide;
            yield return new Atom(glyph.Face, glyph.Text, glyph.Advance, glyph.IsEscape, cp == ' ', BreakAfter(cp) || wide, false);
        }
    }

    private Glyph GlyphFor(FontRole role, int cp)
    {
        if (_glyphs.TryGetValue((role, cp), out var glyph)) return glyph;

        // Fonts never change within a process: resolve and measure a code point once for every document. Only code
        // points below the CJK blocks are shared, so hostile text cannot grow the process-wide cache without bound.
        glyph = cp < SharedGlyphLimit
            ? fonts.Glyphs.GetOrAdd((role, cp), static (key, engine) => engine.ResolveGlyph(key.Role, key.CodePoint), this)
            : ResolveGlyph(role, cp);
        _glyphs[(role, cp)] = glyph;
        return glyph;
    }

    private Glyph ResolveGlyph(FontRole role, int cp)
    {
        var face = fonts.Resolve(role, cp);
        if (face is null)
        {
            // Nothing can draw it: show which code point it was instead of a blank or a tofu box.
            var primary = fonts.Primary(FontRole.Mono);
            var escape = UntrustedText.Escape(cp);
            var width = 0f;
            foreach (var c in escape) width += Advance(primary, c);
            return new Glyph(primary, escape, width, true);
        }

        return new Glyph(face, char.ConvertFromUtf32(cp), Advance(face, cp), false);
    }

    private float Advance(FontFace face, int cp)
    {
        var key = (face.Id << 21) | cp;
        if (_unitAdvances.TryGetValue(key, out var advance)) return advance;
        var font = SkFont(face, 1000);
        advance = font.MeasureText(char.ConvertFromUtf32(cp)) / 1000f;
        _unitAdvances[key] = advance;
        return advance;
    }

    private static bool BreakAfter(int cp) => cp is ' ' or '/' or '\\' or '-' or '?' or '&' or '=' or ',' or ';' or ':' or '.' or '_' or '|' or ')' or ']' or '}' or 0x3001 or 0x3002 or 0xFF0C;

    private static bool IsWideBreakable(int cp) =>
        cp is (>= 0x2E80 and <= 0x9FFF) or (>= 0xAC00 and <= 0xD7AF) or (>= 0xF900 and <= 0xFAFF) or (>= 0xFF00 and <= 0xFFEF) or (>= 0x20000 and <= 0x3FFFF);

    private readonly record struct Atom(FontFace Face, string Text, float Advance, bool IsEscape, bool IsSpace, bool BreakAfter, bool IsNewLine)
    {
        public static Atom NewLine { get; } = new(null!, "", 0, false, false, false, true);

        /// <summary>A zero-width break opportunity.</summary>
        public static Atom BreakHint { get; } = new(null!, "", 0, false, false, true, false);
    }
}

/// <summary>How one code point is drawn in one role: the face, the text (an escape when no face has it), its advance at size 1.</summary>
internal readonly record struct Glyph(FontFace Face, string Text, float Advance, bool IsEscape);

/// <summary>Horizontal alignment inside a box.</summary>
public enum TextAlign
{
    Left,
    Right,
    Center,
}
