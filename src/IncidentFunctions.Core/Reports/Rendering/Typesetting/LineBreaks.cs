using System.Globalization;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Where a line may break. Text beyond Latin, Greek and Cyrillic takes ICU's line-break rules (UAX #14 with ICU's
/// dictionaries: Thai has no spaces between words; CJK breaks between ideographs); everything may also break after
/// path and query punctuation, so a long URL or path wraps at its separators rather than anywhere; never before closing
/// or separating punctuation (a comma, a full stop, a closing bracket). A word wider than the line is cut between
/// grapheme clusters (<see cref="NextGrapheme"/>), never inside one.
/// </summary>
internal static class LineBreaks
{
    [ThreadStatic]
    private static global::Icu.BreakIterator? _lineIterator;

    /// <summary>For each index i in 1..Length-1: may a line start at i.</summary>
    public static bool[] Opportunities(string text)
    {
        var breaks = new bool[text.Length + 1];
        if (NeedsIcu(text))
        {
            IcuLibrary.EnsureLoaded();
            var iterator = _lineIterator ??= global::Icu.BreakIterator.CreateLineInstance(new global::Icu.Locale("en"));
            iterator.SetText(text);
            foreach (var boundary in iterator.Boundaries)
            {
                if (boundary > 0 && boundary < text.Length) breaks[boundary] = true;
            }
        }
        else
        {
            for (var i = 1; i < text.Length; i++)
            {
                if (text[i - 1] == ' ' && text[i] != ' ') breaks[i] = true;
            }
        }

        for (var i = 1; i < text.Length; i++)
        {
            if (BreakAfter(text[i - 1]) && !IsContinuation(text, i)) breaks[i] = true;
            // A line never starts with closing or separating punctuation ("(CC0)" then ", built" on the next line).
            if (CannotStartLine(text[i])) breaks[i] = false;
        }

        return breaks;
    }

    /// <summary>The index after the grapheme cluster starting at <paramref name="index"/>.</summary>
    public static int NextGrapheme(string text, int index)
    {
        // Two characters below the combining marks (and no CR LF pair) are two clusters: skip the segmenter.
        if (text[index] < '\u0300' && text[index] != '\r' && (index + 1 >= text.Length || text[index + 1] < '\u0300')) return index + 1;
        return index + Math.Max(1, StringInfo.GetNextTextElementLength(text.AsSpan(index)));
    }

    /// <summary>
    /// Where to cut a word wider than the line at <paramref name="cut"/> (a grapheme boundary after
    /// <paramref name="start"/>) so the next line does not start with closing or separating punctuation: earlier by a
    /// grapheme at a time, so the punctuation leaves with the character before it. <paramref name="cut"/> itself when
    /// the line would be left empty (a line of punctuation only).
    /// </summary>
    public static int KeepPunctuationOnLine(string text, int start, int cut)
    {
        var earlier = cut;
        while (earlier > start && earlier < text.Length && CannotStartLine(text[earlier])) earlier = PreviousGrapheme(text, start, earlier);
        return earlier > start ? earlier : cut;
    }

    /// <summary>The last grapheme cluster boundary before <paramref name="end"/>, counting from <paramref name="start"/> (which it returns when there is none).</summary>
    public static int PreviousGrapheme(string text, int start, int end)
    {
        var previous = start;
        for (var i = start; i < end;)
        {
            var next = NextGrapheme(text, i);
            if (next >= end) break;
            previous = next;
            i = next;
        }

        return previous;
    }

    private static bool NeedsIcu(string text)
    {
        // Scripts with their own break rules (Hebrew to Mongolian, Hangul jamo), CJK and beyond; not punctuation or symbols.
        foreach (var c in text)
        {
            if (c is (>= '\u0590' and < '\u1E00') or >= '\u2E80') return true;
        }

        return false;
    }

    /// <summary>Closing and infix punctuation (UAX #14 CL, CP, IS, EX): no break before it, even after a space.</summary>
    private static bool CannotStartLine(char c) => c is ',' or '.' or ';' or ':' or '!' or '?' or ')' or ']' or '}' or '\u3001' or '\u3002' or '\uFF0C';

    private static bool BreakAfter(char c) => c is '/' or '\\' or '-' or '?' or '&' or '=' or ',' or ';' or ':' or '.' or '_' or '|' or ')' or ']' or '}' or '\u3001' or '\u3002' or '\uFF0C';

    /// <summary>True when <paramref name="index"/> is inside a grapheme cluster (a mark, joiner or low surrogate follows).</summary>
    private static bool IsContinuation(string text, int index)
    {
        var c = text[index];
        if (char.IsLowSurrogate(c) || c is '\u200C' or '\u200D' || (c >= '\uFE00' && c <= '\uFE0F')) return true;
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }
}
