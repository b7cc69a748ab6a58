using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Measures, wraps and draws text with the embedded fonts: shaped (<see cref="Shaper"/>), in bidi order, broken at
/// ICU line-break opportunities and measured with the shaped advances, so what is measured is what is drawn.
/// Code points no font has are drawn as <c>[U+XXXX]</c> escapes. After layout, <see cref="PruneFaces"/> makes the
/// document embed each face cut to the glyphs it draws. Not thread-safe: one engine per document.
/// </summary>
internal sealed partial class TextEngine : IDisposable
{
    private const int MaxCachedChars = 64;
    private const int MaxCachedTexts = 20_000;
    private readonly ReportFonts _fonts;
    private readonly Func<FontRole, int, CodePointGlyph> _resolve;
    private readonly Dictionary<(FontRole, int), CodePointGlyph> _glyphs = [];
    private readonly Dictionary<(SKTypeface, float), SKFont> _skFonts = [];
    private readonly Dictionary<FontFace, bool[]> _used = [];
    private readonly Dictionary<FontFace, (SKTypeface Typeface, bool[] Kept)> _pruned = [];
    private readonly Dictionary<(string Text, FontRole Role, float Size, float Width, int MaxLines, bool CutCount), List<TextLine>> _wrapped = [];
    private readonly SKPaint _paint = new() { IsAntialias = true };
    private readonly SKTextBlobBuilder _builder = new();
    private readonly Dictionary<string, SKData> _linkTargets = [];

    public TextEngine(ReportFonts fonts)
    {
        _fonts = fonts;
        _resolve = GlyphFor;
    }

    public ReportFonts Fonts => _fonts;

    /// <summary>Text laid out now and drawn with its page, once the document is laid out (kept table rows).</summary>
    public GlyphRecording Recording { get; } = new();

    /// <summary>For text recorded and drawn at once (a table row laid out again when drawn); cleared by whoever uses it.</summary>
    public GlyphRecording Scratch { get; } = new();

    /// <summary>Told of every run drawn and every face made for this render (measuring tools); usually none.</summary>
    public IRenderObserver? Observer { get; set; }

    /// <summary>A link to <paramref name="url"/> over <paramref name="area"/> (text the reader can click).</summary>
    /// <remarks>
    /// A day's rows link to a few dozen Console pages, so each address's bytes are made once per document and Skia
    /// keeps a reference per annotation. One SKData per link was a thousand native copies and finalizable wrappers.
    /// </remarks>
    public void DrawLink(SKCanvas canvas, SKRect area, string url)
    {
        if (!_linkTargets.TryGetValue(url, out var target))
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(url) + 1]; // Skia reads the URL as a C string: NUL-terminated
            Encoding.UTF8.GetBytes(url, bytes);
            _linkTargets[url] = target = SKData.CreateCopy(bytes);
        }

        canvas.DrawUrlAnnotation(area, target);
    }

    /// <summary>Width in points of <paramref name="text"/> on one line.</summary>
    public float Measure(string text, TextStyle style) => Shape(text, style.Role, Bidi.ParagraphLevel(text)).Width * style.Size;

    /// <summary>One line, cut with an ellipsis when wider than <paramref name="maxWidth"/>.</summary>
    public TextLine SingleLine(string text, TextStyle style, float maxWidth, bool showCutCount = false) => Wrap(text, style, maxWidth, 1, showCutCount)[0];

    /// <summary>Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/> points.</summary>
    /// <param name="remember">
    /// False for a value unlikely to come again in the document (a time, an address, an id): laid out without being
    /// looked up or kept, so the document's cache holds what repeats. The lines are the same either way.
    /// </param>
    /// <remarks>
    /// Lines break at ICU's line-break opportunities and after path or query punctuation; a word wider than the line
    /// is broken between grapheme clusters, so nothing is ever drawn past the column edge. Beyond
    /// <paramref name="maxLines"/> the last line ends with an ellipsis, and with <paramref name="showCutCount"/> with
    /// how many characters are not shown (<c>…(+1,234)</c>, including any count the text already ended with).
    /// </remarks>
    public IReadOnlyList<TextLine> Wrap(string text, TextStyle style, float maxWidth, int maxLines = int.MaxValue, bool showCutCount = false, bool remember = true)
    {
        // Tables repeat short cell texts (statuses, attack types, "–", parameter names): lay each out once per document.
        var cacheable = remember && text.Length <= MaxCachedChars;
        if (!cacheable) return WrapUncached(text, style, maxWidth, maxLines, showCutCount);
        var key = (text, style.Role, style.Size, maxWidth, maxLines, showCutCount);
        if (_wrapped.TryGetValue(key, out var known)) return known;
        var lines = WrapUncached(text, style, maxWidth, maxLines, showCutCount);
        if (_wrapped.Count < MaxCachedTexts) _wrapped[key] = lines;
        return lines;
    }

    private List<TextLine> WrapUncached(string text, TextStyle style, float maxWidth, int maxLines, bool showCutCount)
    {
        var limit = maxWidth / style.Size;
        var lines = new List<TextLine>();
        var position = 0;
        while (true)
        {
            var newline = text.IndexOf('\n', position);
            var end = newline < 0 ? text.Length : newline;
            var cut = WrapParagraph(text, position, end, style.Role, limit, maxLines, lines, showCutCount);
            if (cut || newline < 0) break;
            if (lines.Count >= maxLines)
            {
                // More paragraphs follow but no line is left for them.
                lines[^1] = Ellipsize(text, LastLineStart, end, end, LastLevel, style.Role, limit, showCutCount);
                break;
            }

            position = newline + 1;
        }

        if (lines.Count == 0) lines.Add(TextLine.Empty);
        foreach (var line in lines) RecordGlyphs(line);
        return lines;
    }

    /// <summary>Draws a line with its top-left corner at (<paramref name="x"/>, <paramref name="top"/>).</summary>
    public void Draw(SKCanvas canvas, TextLine line, TextStyle style, float x, float top)
    {
        var baseline = top + style.Ascent;
        foreach (var run in line.Runs)
        {
            if (run.Glyphs.Length == 0) continue;
            var typeface = TypefaceFor(run);
            var font = SkFont(typeface, style.Size);
            var at = GlyphEmitter.AddRun(_builder, font, run, style.Size);
            using var blob = _builder.Build();
            if (blob is null) continue;
            _paint.Color = run.IsEscape ? Typography.Escape : style.Color;
            canvas.DrawText(blob, x + at, baseline, _paint);
            Observer?.TextDrawn(canvas, typeface, style.Size, _paint.Color, x, baseline, run);
        }
    }

    /// <summary>Draws wrapped lines from <paramref name="top"/>; returns the height used.</summary>
    public float DrawLines(SKCanvas canvas, IReadOnlyList<TextLine> lines, TextStyle style, float x, float top, float width = 0, TextAlign align = TextAlign.Left)
    {
        var y = top;
        for (var i = 0; i < lines.Count; i++)
        {
            Draw(canvas, lines[i], style, x + AlignOffset(lines[i], style, width, align), y);
            y += style.LineHeight;
        }

        return y - top;
    }

    /// <summary>
    /// Records wrapped lines as <see cref="DrawLines"/> would draw them, into <paramref name="recording"/>, to be drawn by
    /// <see cref="DrawRecorded"/>; returns the height used.
    /// </summary>
    public float RecordLines(GlyphRecording recording, IReadOnlyList<TextLine> lines, TextStyle style, float x, float top, float width = 0, TextAlign align = TextAlign.Left)
    {
        var y = top;
        for (var i = 0; i < lines.Count; i++)
        {
            var baseline = y + style.Ascent;
            var lineX = x + AlignOffset(lines[i], style, width, align);
            foreach (var run in lines[i].Runs)
            {
                recording.Add(run, style.Size, run.IsEscape ? Typography.Escape : style.Color, lineX, baseline, Observer is null ? null : run);
            }

            y += style.LineHeight;
        }

        return y - top;
    }

    /// <summary>Draws the recorded runs [<paramref name="first"/>, +<paramref name="count"/>) moved by (<paramref name="dx"/>, <paramref name="dy"/>).</summary>
    public void DrawRecorded(SKCanvas canvas, GlyphRecording recording, int first, int count, float dx, float dy)
    {
        for (var i = first; i < first + count; i++)
        {
            ref readonly var run = ref recording[i];
            var glyphs = recording.Glyphs(run);
            var typeface = TypefaceFor(recording.Face(run), glyphs);
            var font = SkFont(typeface, run.Size);
            var text = recording.Text(run);
            var target = new BlobTarget(_builder, font).Allocate(run.GlyphCount, text.Length);
            glyphs.CopyTo(target.Glyphs);
            recording.Positions(run).CopyTo(target.Positions);
            recording.Clusters(run).CopyTo(target.Clusters);
            text.CopyTo(target.Text);
            using var blob = _builder.Build();
            if (blob is null) continue;
            _paint.Color = run.Color;
            var (x, baseline) = (dx + run.X, dy + run.Baseline);
            canvas.DrawText(blob, x + run.At, baseline, _paint);
            Observer?.TextDrawn(canvas, typeface, run.Size, run.Color, x, baseline, recording.Observed(i));
        }
    }

    private static float AlignOffset(TextLine line, TextStyle style, float width, TextAlign align) => align switch
    {
        TextAlign.Right => width - (line.Width * style.Size),
        TextAlign.Center => (width - (line.Width * style.Size)) / 2,
        _ => 0,
    };

    /// <summary>
    /// Once layout is complete and before drawing: every face the document's lines use is replaced, for drawing, by a
    /// copy holding only the glyphs laid out (the PDF backend embeds font files whole; layout tables go too, since
    /// the copy is never shaped). A run with a glyph the copy lacks still draws with the full face: never a lost glyph.
    /// </summary>
    public void PruneFaces()
    {
        foreach (var (face, used) in _used)
        {
            var glyphs = new List<ushort>();
            for (var g = 0; g < used.Length; g++)
            {
                if (used[g]) glyphs.Add((ushort)g);
            }

            using var pruned = SKData.CreateCopy(TrueTypeGlyphPruner.KeepOnly(face.Sfnt, glyphs, TrueTypeGlyphPruner.LayoutTables)); // the typeface keeps its own reference
            var typeface = SKTypeface.FromData(pruned);
            if (typeface is null) continue;
            _pruned[face] = (typeface, used);
            Observer?.TypefaceCreated(typeface); // what it recorded outlives this engine
        }
    }

    public void Dispose()
    {
        foreach (var font in _skFonts.Values) font.Dispose();
        _skFonts.Clear();
        if (Observer is null)
        {
            foreach (var (typeface, _) in _pruned.Values) typeface.Dispose();
        }

        _pruned.Clear();
        foreach (var target in _linkTargets.Values) target.Dispose(); // the document holds its own references
        _linkTargets.Clear();
        _paint.Dispose();
        _builder.Dispose();
        Recording.Dispose();
        Scratch.Dispose();
    }

    /// <summary>The start (in the text) and paragraph level of the last line <see cref="WrapParagraph"/> added.</summary>
    private int LastLineStart { get; set; }

    private byte LastLevel { get; set; }

    /// <summary>Lays out text[from, to) into <paramref name="lines"/>; true when it had to cut (the last line is ellipsized).</summary>
    private bool WrapParagraph(string text, int from, int to, FontRole role, float limit, int maxLines, List<TextLine> lines, bool showCutCount)
    {
        var paragraph = text[from..to];
        LastLevel = 0;
        if (paragraph.Length == 0)
        {
            LastLineStart = from;
            lines.Add(TextLine.Empty);
            return false;
        }

        var level = Bidi.ParagraphLevel(paragraph);
        LastLevel = level;
        var whole = Shape(paragraph, role, level);
        if (whole.Width <= limit)
        {
            LastLineStart = from;
            lines.Add(whole);
            return false;
        }

        var advances = Advances(whole, paragraph.Length);
        var breaks = LineBreaks.Opportunities(paragraph);
        var start = 0;
        while (start < paragraph.Length)
        {
            // Greedy: the furthest break opportunity that fits; trailing spaces may hang past the edge.
            var width = 0f;
            var i = start;
            var lastBreak = -1;
            while (i < paragraph.Length)
            {
                var next = LineBreaks.NextGrapheme(paragraph, i);
                var w = 0f;
                for (var k = i; k < next; k++) w += advances[k];
                if (width + w > limit && i > start && paragraph[i] != ' ') break;
                width += w;
                i = next;
                if (i < paragraph.Length && breaks[i]) lastBreak = i;
            }

            var end = i < paragraph.Length && lastBreak > start ? lastBreak : LineBreaks.KeepPunctuationOnLine(paragraph, start, i);
            var line = Shape(paragraph[start..end].TrimEnd(' '), role, level);
            while (line.Width > limit)
            {
                // Shaping the line alone came out wider than the estimate: give back a break opportunity, or a grapheme.
                var earlier = PreviousBreak(paragraph, breaks, start, end);
                if (earlier <= start) break;
                end = earlier;
                line = Shape(paragraph[start..end].TrimEnd(' '), role, level);
            }

            LastLineStart = from + start;
            lines.Add(line);
            start = end;
            while (start < paragraph.Length && paragraph[start] == ' ') start++;
            if (lines.Count >= maxLines && start < paragraph.Length)
            {
                lines[^1] = Ellipsize(text, LastLineStart, from + end, to, level, role, limit, showCutCount);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The last line cut so that "…" (and the count of characters not shown) fits after it. <paramref name="lineEnd"/>
    /// is where the line's text ends in <paramref name="text"/>; <paramref name="paragraphEnd"/> where its paragraph ends.
    /// </summary>
    private TextLine Ellipsize(string text, int lineStart, int lineEnd, int paragraphEnd, byte level, FontRole role, float limit, bool showCutCount)
    {
        var paragraph = text[lineStart..paragraphEnd];
        var end = lineEnd - lineStart;
        while (true)
        {
            var shown = paragraph[..end].TrimEnd(' ');
            var suffix = Suffix(text, lineStart + end, showCutCount, level);
            var candidate = Shape(shown + suffix, role, level);
            if (candidate.Width <= limit || end == 0) return candidate;

            end = LineBreaks.PreviousGrapheme(paragraph, 0, end);
        }
    }

    /// <summary>"…", or with the count "…(+N)": characters from <paramref name="shownEnd"/> on, plus a count the text already ended with.</summary>
    private static string Suffix(string text, int shownEnd, bool showCutCount, byte level)
    {
        if (!showCutCount) return Text.UntrustedText.Ellipsis;
        var hidden = (long)text.Length - shownEnd;
        var marker = CutMarker().Match(text);
        if (marker.Success && long.TryParse(marker.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var earlier))
        {
            hidden = Math.Max(0, marker.Index - shownEnd) + earlier;
        }

        var count = string.Create(CultureInfo.InvariantCulture, $"(+{hidden:N0})");
        // In a right-to-left paragraph the count keeps its left-to-right order.
        return Text.UntrustedText.Ellipsis + (level == 1 ? "\u2066" + count + "\u2069" : count);
    }

    private static int PreviousBreak(string paragraph, bool[] breaks, int start, int end)
    {
        for (var i = end - 1; i > start; i--)
        {
            if (breaks[i]) return i;
        }

        // No opportunity: one grapheme less.
        return LineBreaks.KeepPunctuationOnLine(paragraph, start, LineBreaks.PreviousGrapheme(paragraph, start, end));
    }

    /// <summary>The advance each character contributes (a cluster's glyphs count at its first character; escapes at their code point).</summary>
    private static float[] Advances(TextLine line, int length)
    {
        var advances = new float[length + 1];
        foreach (var run in line.Runs)
        {
            if (run.IsEscape)
            {
                advances[run.SourceStart] += run.Width;
                continue;
            }

            for (var k = 0; k < run.Glyphs.Length; k++) advances[Math.Clamp(run.Clusters[k], 0, length)] += run.Advances[k];
        }

        return advances;
    }

    private TextLine Shape(string text, FontRole role, byte level) => Shaper.ShapeLine(text, role, level, _resolve, _fonts.Primary(FontRole.Mono));

    private void RecordGlyphs(TextLine line)
    {
        foreach (var run in line.Runs)
        {
            if (!_used.TryGetValue(run.Face, out var used)) _used[run.Face] = used = new bool[run.Face.GlyphCount];
            foreach (var glyph in run.Glyphs)
            {
                if (glyph < used.Length) used[glyph] = true;
            }
        }
    }

    private SKTypeface TypefaceFor(GlyphRun run) => TypefaceFor(run.Face, run.Glyphs);

    private SKTypeface TypefaceFor(FontFace face, ReadOnlySpan<ushort> glyphs)
    {
        if (_pruned.TryGetValue(face, out var pruned))
        {
            foreach (var glyph in glyphs)
            {
                if (glyph >= pruned.Kept.Length || !pruned.Kept[glyph]) return face.Typeface;
            }

            return pruned.Typeface;
        }

        return face.Typeface;
    }

    private SKFont SkFont(SKTypeface typeface, float size)
    {
        if (!_skFonts.TryGetValue((typeface, size), out var font))
        {
            font = new SKFont(typeface, size) { Hinting = SKFontHinting.None, LinearMetrics = true, Subpixel = true, Edging = SKFontEdging.Antialias };
            _skFonts[(typeface, size)] = font;
        }

        return font;
    }

    private CodePointGlyph GlyphFor(FontRole role, int cp)
    {
        // Fonts never change within a process: code points below the CJK blocks are resolved once for every document;
        // the rest once per document, so hostile text cannot grow a process-wide cache without bound.
        if (cp < ReportFonts.SharedGlyphLimit) return _fonts.SharedGlyph(role, cp);
        if (_glyphs.TryGetValue((role, cp), out var glyph)) return glyph;
        glyph = _fonts.GlyphFor(role, cp);
        _glyphs[(role, cp)] = glyph;
        return glyph;
    }

    /// <summary>A count of cut characters at the end of a text, as <see cref="Text.UntrustedText.Sanitize"/> writes it.</summary>
    [GeneratedRegex(@"…\(\+([0-9,]+)\)$")]
    private static partial Regex CutMarker();
}
