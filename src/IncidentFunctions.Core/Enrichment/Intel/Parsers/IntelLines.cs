namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>What a line reader made of one line.</summary>
internal enum LineResult
{
    /// <summary>An entry (or a line the format needs, such as Tor's <c>ExitNode</c>): counts as readable.</summary>
    Read,

    /// <summary>Not readable as the format: counted into <see cref="IntelSourceContent.InvalidEntries"/>.</summary>
    Unreadable,

    /// <summary>A line the format allows and ignores (a header, a comment of its own kind): not counted.</summary>
    Skipped,
}

/// <summary>Which comments a line format has.</summary>
internal enum LineComments
{
    /// <summary>None: every non-blank line goes to the reader (Tor's exit-addresses, where keywords decide).</summary>
    None,

    /// <summary>Whole lines starting with <c>#</c>; CSV and TSV files, where a <c>#</c> inside a field is data.</summary>
    WholeLine,

    /// <summary><c>#</c> anywhere, or <c>;</c> as in DROP's "CIDR ; SBL", cuts the rest of the line (plain lists).</summary>
    Anywhere,
}

/// <summary>
/// The loop every line format shares: blank and comment lines skipped, each other line read, unreadable ones counted,
/// too many of them refused as not being the format at all (an HTML error page, a truncated or foreign file), so a
/// broken download never replaces a good list.
/// </summary>
internal static class IntelLines
{
    /// <summary>Share of unreadable entries above which content counts as not being the format at all.</summary>
    public const double MaxInvalidShare = 0.10;

    private const int InvalidEntriesAlwaysTolerated = 5;

    /// <summary>Reads one line (never blank, comments already cut as <see cref="LineComments"/> says).</summary>
    public delegate LineResult LineReader(ReadOnlySpan<char> line);

    /// <summary>
    /// Reads <paramref name="text"/> line by line into <paramref name="result"/>, which gets the count of unreadable lines.
    /// <paramref name="trim"/> false hands lines over with their whitespace (tab-separated files, where a trailing
    /// tab is an empty last field).
    /// </summary>
    public static IntelSourceContent Read(string text, IntelSourceContent result, string format, LineComments comments, LineReader read, bool trim = true)
    {
        int valid = 0, invalid = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = comments == LineComments.Anywhere ? StripComment(raw) : trim ? raw.Trim() : raw;
            if (line.IsWhiteSpace() || (comments != LineComments.None && line[0] == '#')) continue;
            switch (read(line))
            {
                case LineResult.Read:
                    valid++;
                    break;
                case LineResult.Unreadable:
                    invalid++;
                    break;
            }
        }

        result.InvalidEntries = invalid;
        CheckInvalid(valid, invalid, format);
        return result;
    }

    /// <summary>Refuses content with more than a few unreadable entries and more than <see cref="MaxInvalidShare"/> of them.</summary>
    public static void CheckInvalid(int valid, int invalid, string format)
    {
        if (invalid > InvalidEntriesAlwaysTolerated && invalid > (valid + invalid) * MaxInvalidShare)
        {
            throw new IntelFormatException($"{invalid} of {valid + invalid} lines are unreadable: this is not a {format}.");
        }
    }

    /// <summary>The line without a comment (<c>#</c> anywhere, <c>;</c> as in DROP's "CIDR ; SBL"), trimmed.</summary>
    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> line)
    {
        var hash = line.IndexOfAny('#', ';');
        return (hash >= 0 ? line[..hash] : line).Trim();
    }
}
