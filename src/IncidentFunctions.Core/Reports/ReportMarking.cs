using System.Globalization;
using System.Text;
using IncidentFunctions.Text;

namespace IncidentFunctions.Reports;

/// <summary>
/// The handling marking (<see cref="ReportOptions.Marking"/>, e.g. TLP:AMBER) as every output shows it: at the right of
/// each PDF page's header and footer and first in the PDF's title and keywords, and in front of the first line of what
/// is not a page (a digest's or alert's title, an email's subject, the archive page's title), as the Traffic Light
/// Protocol asks of a labelled message; and first in the name of every file a user downloads or receives (PDF, CSV,
/// email attachment), which a file list and a shared folder show when nothing of the content does.
/// </summary>
public static class ReportMarking
{
    /// <summary>The marking as printed: trimmed, control and invisible characters shown as escapes (as attacker text is); null for none.</summary>
    public static string? Of(ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Marking) ? null : UntrustedText.Sanitize(options.Marking.Trim(), ReportOptions.MaxMarkingChars);
    }

    /// <summary>"[TLP:AMBER] <paramref name="line"/>", or the line as it is without a marking.</summary>
    public static string Prefixed(string? marking, string line) => marking is null ? line : $"[{marking}] {line}";

    /// <summary>
    /// "TLP-AMBER_<paramref name="fileName"/>", or the name as it is without a marking. The marking keeps its letters,
    /// their combining marks and digits (any script: the download header carries them as UTF-8) and <c>+ . _ -</c>; anything else (a colon,
    /// a slash, a space, a quote, an escape's backslash) becomes a hyphen, so the name is valid on every file system.
    /// </summary>
    public static string FileName(string? marking, string fileName)
    {
        if (marking is null) return fileName;
        var safe = new StringBuilder(MaxFileNamePrefixChars);
        foreach (var rune in marking.EnumerateRunes())
        {
            if (safe.Length >= MaxFileNamePrefixChars) break;
            // Combining marks belong to the letter before them (Hindi and Thai vowel signs): kept after a kept character.
            var mark = Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            var keep = Rune.IsLetterOrDigit(rune) || rune.Value is '+' or '.' or '_' or '-' || (mark && safe.Length > 0 && safe[^1] != '-');
            if (keep) safe.Append(rune.ToString());
            else if (safe.Length > 0 && safe[^1] != '-') safe.Append('-');
        }

        var prefix = safe.ToString().Trim('-', '.', '_');
        return prefix.Length == 0 ? fileName : $"{prefix}_{fileName}";
    }

    /// <summary>How much of the marking a file name keeps (names of 255 bytes are the common limit; the rest is a date).</summary>
    internal const int MaxFileNamePrefixChars = 40;

    /// <summary>"TLP:AMBER, <paramref name="list"/>" (a PDF's keywords), or the list as it is without a marking.</summary>
    public static string Listed(string? marking, string list) => marking is null ? list : $"{marking}, {list}";
}
