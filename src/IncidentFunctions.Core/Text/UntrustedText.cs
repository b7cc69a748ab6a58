using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IncidentFunctions.Text;

/// <summary>
/// Makes attacker-controlled text (paths, parameters, payloads, domains, titles) safe to show, the same way in every
/// output (PDF and chat):
/// <list type="bullet">
/// <item>characters that are invisible or change how the surrounding text is laid out become visible escapes such as
/// <c>[U+202E]</c>: controls, bidi controls, zero-width and other format characters, invisible letters (Hangul
/// fillers, the blank Braille pattern), private-use, unpaired surrogates and non-characters. Joiners stay where they
/// join something (emoji sequences, Arabic and Indic words);</item>
/// <item>at most <see cref="MaxMarksPerBase"/> combining marks stay on a character; the rest are counted, visibly
/// (<c>[+197 marks]</c>), so "zalgo" text cannot smear over neighbouring lines;</item>
/// <item>whitespace runs become one space, and the length is bounded with an ellipsis and optionally the count of
/// what was cut;</item>
/// <item><see cref="Inert"/> also defangs: <c>https[:]//evil[.]example</c>, <c>a＠evil[.]example</c>, so no viewer
/// turns it into a link or a mention.</item>
/// </list>
/// The result is plain text; a renderer or chat platform still applies its own escaping (markup) on top.
/// </summary>
public static partial class UntrustedText
{
    public const string Ellipsis = "…";

    /// <summary>Combining marks kept on one base character; legitimate text (Vietnamese, Hebrew points, Indic) needs no more.</summary>
    public const int MaxMarksPerBase = 3;

    private const char FullWidthAt = '\uFF20';

    /// <summary>Sanitises <paramref name="value"/> and bounds it to <paramref name="maxChars"/> UTF-16 units.</summary>
    /// <param name="value">Raw text; null gives an empty string.</param>
    /// <param name="maxChars">Upper bound of the result's length, ellipsis and count included.</param>
    /// <param name="showCutCount">
    /// Append how many characters were cut, e.g. <c>…(+1,048,560)</c>, counting what storage already cut (its
    /// <c>…[truncated N chars]</c> marker becomes part of the one count).
    /// </param>
    public static string Sanitize(string? value, int maxChars = 500, bool showCutCount = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        if (string.IsNullOrEmpty(value)) return "";
        var storedCut = 0L;
        if (showCutCount && value.EndsWith(" chars]", StringComparison.Ordinal) && StorageCutMarker().Match(value) is { Success: true } marker
            && long.TryParse(marker.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out storedCut))
        {
            value = value[..marker.Index];
        }

        // Most text is already clean and short: return it as is (exactly what the loop below would build).
        if (storedCut == 0 && value.Length <= maxChars && IsClean(value)) return value;

        // Only the head can survive the bound, so never scan a megabyte to keep a few hundred characters.
        var sb = new StringBuilder(Math.Min(value.Length, maxChars) + 16);
        var consumed = 0;
        var pendingSpace = false;
        var marks = 0;
        var droppedMarks = 0;
        var previous = -1;
        while (consumed < value.Length && sb.Length <= maxChars)
        {
            var rune = ReadRune(value, consumed, out var width);
            consumed += width;
            if (rune is null)
            {
                FlushMarks(sb, ref droppedMarks);
                AppendSpace(sb, ref pendingSpace);
                sb.Append(Escape(value[consumed - 1]));
                marks = 0;
                previous = -1;
                continue;
            }

            var r = rune.Value;
            if (IsCombiningMark(r))
            {
                if (marks >= MaxMarksPerBase)
                {
                    droppedMarks++;
                    continue;
                }

                marks++;
                sb.Append(value, consumed - width, width);
                continue;
            }

            FlushMarks(sb, ref droppedMarks);
            marks = 0;
            if (Rune.IsWhiteSpace(r) && r.Value != 0x3000) // ideographic space keeps CJK spacing
            {
                pendingSpace = sb.Length > 0;
                previous = ' ';
                continue;
            }

            AppendSpace(sb, ref pendingSpace);
            if (r.Value is 0x200C or 0x200D && JoinsHere(previous, value, consumed)) sb.Append((char)r.Value);
            else if (NeedsEscape(r)) sb.Append(Escape(r.Value));
            else if (r.IsBmp) sb.Append((char)r.Value);
            else sb.Append(value, consumed - width, width);
            previous = r.Value;
        }

        // Marks dropped at the very end are still counted, unless the bound cuts there anyway.
        if (consumed >= value.Length) FlushMarks(sb, ref droppedMarks);
        var more = consumed < value.Length || storedCut > 0;
        if (!more && sb.Length <= maxChars) return sb.ToString();

        var suffix = Ellipsis;
        var keep = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            keep = Math.Min(sb.Length, Math.Max(0, maxChars - suffix.Length));
            if (keep > 0 && char.IsHighSurrogate(sb[keep - 1])) keep--;
            keep = BackOffPartialEscape(sb, keep);
            if (!showCutCount) break;
            var cut = sb.Length - keep + (value.Length - consumed) + storedCut;
            var next = string.Create(CultureInfo.InvariantCulture, $"{Ellipsis}(+{cut:N0})");
            var settled = attempt > 0 && next.Length == suffix.Length;
            suffix = next;
            if (settled) break;
        }

        sb.Length = keep;
        return sb.Append(suffix).ToString().TrimStart();
    }

    /// <summary>
    /// <see cref="Sanitize"/>, then <paramref name="substitute"/> (a channel's own replacements, such as backticks in a
    /// code span, so defanging sees the final characters), then <see cref="Defang"/>, bounded to
    /// <paramref name="maxChars"/> after defanging: the form every output shows attacker text in.
    /// </summary>
    public static string Inert(string? value, int maxChars, bool showCutCount = false, Func<string, string>? substitute = null)
    {
        var bound = maxChars;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var clean = Sanitize(value, bound, showCutCount);
            if (substitute is not null) clean = substitute(clean);
            var defanged = Defang(clean);
            if (defanged.Length <= maxChars) return defanged;

            // Defanging lengthened it: keep less of the input (the cut count stays that of the raw input). From what was
            // kept, not from the bound: a text shorter than the bound would otherwise shrink by nothing, attempt after attempt.
            bound = Math.Max(1, Math.Min(bound, clean.Length) - (defanged.Length - maxChars));
        }

        // The channel's substitution applies here too: without it a backtick reached a code span and closed it.
        var fallback = Sanitize(value, Math.Max(1, maxChars / 2), showCutCount);
        var last = Defang(substitute is null ? fallback : substitute(fallback));
        return last.Length <= maxChars ? last : Sanitize(last, maxChars);
    }

    /// <summary>
    /// The "defanged" form security teams read, which no viewer makes a link or mention of: <c>://</c> → <c>[:]//</c>,
    /// a dot between a host label and a letter → <c>[.]</c> (also after a combining mark: <c>हमला[.]उदाहरण</c>, and
    /// the ideographic and full-width dots IDNA accepts), <c>@</c> → the full-width <c>＠</c>. Applying it twice changes nothing.
    /// </summary>
    public static string Defang(string value)
    {
        if (value.Length == 0) return value;
        var result = value.Replace("://", "[:]//", StringComparison.Ordinal);
        result = HostDot().Replace(result, "[.]");
        return result.Replace('@', FullWidthAt);
    }

    /// <summary>
    /// A short field (a country code) shown whole, however it has to be escaped: the first
    /// <paramref name="maxCodePoints"/> code points of the raw value, sanitised (each escape kept whole), and the count
    /// of the rest (<c>…(+13)</c>), never a bare marker. A storage cut marker (<c>…[truncated 11 chars]</c>) counts as cut.
    /// </summary>
    public static string ShortField(string? value, int maxCodePoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCodePoints, 1);
        if (string.IsNullOrEmpty(value)) return "";
        var extra = 0L;
        var storageCut = StorageCutMarker().Match(value);
        if (storageCut.Success && long.TryParse(storageCut.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var stored))
        {
            extra = stored;
            value = value[..storageCut.Index];
        }

        var head = 0;
        for (var n = 0; head < value.Length && n < maxCodePoints; n++)
        {
            head += char.IsHighSurrogate(value[head]) && head + 1 < value.Length && char.IsLowSurrogate(value[head + 1]) ? 2 : 1;
        }

        var shown = Sanitize(value[..head], (maxCodePoints * 12) + 16);
        var cut = value.Length - head + extra;
        return cut == 0 ? shown : string.Create(CultureInfo.InvariantCulture, $"{shown}{Ellipsis}(+{cut:N0})");
    }

    /// <summary>The visible form of a code point no font or channel should carry raw: <c>[U+202E]</c>.</summary>
    public static string Escape(int codePoint) => string.Create(CultureInfo.InvariantCulture, $"[U+{codePoint:X4}]");

    /// <summary>
    /// True for characters that are invisible or reorder text: controls, bidi embeddings/overrides/isolates and marks,
    /// zero-width and other format characters, default-ignorable and blank letters (U+3164, U+115F, U+1160, U+FFA0,
    /// U+2800 …), private-use and unpaired surrogates, and non-characters. Joiners are decided in context by <see cref="Sanitize"/>.
    /// </summary>
    public static bool NeedsEscape(Rune rune)
    {
        var v = rune.Value;
        if (v is >= 0xFFF9 and <= 0xFFFB) return true; // interlinear annotation controls
        if ((v & 0xFFFE) == 0xFFFE || v is >= 0xFDD0 and <= 0xFDEF) return true; // non-characters
        if (IsInvisibleLetter(v)) return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control => true,
            UnicodeCategory.Format => true, // bidi controls (U+202A–202E, U+2066–2069, U+200E/F, U+061C), ZWSP/ZWJ, BOM, soft hyphen, tags
            UnicodeCategory.PrivateUse => true,
            UnicodeCategory.Surrogate => true,
            UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
            _ => false,
        };
    }

    /// <summary>True when <paramref name="value"/> would come out of <see cref="Sanitize"/> unchanged (ignoring length).</summary>
    public static bool IsClean(string? value)
    {
        if (string.IsNullOrEmpty(value)) return true;
        var i = 0;
        var previousSpace = true;
        var marks = 0;
        while (i < value.Length)
        {
            var rune = ReadRune(value, i, out var width);
            i += width;
            if (rune is null || NeedsEscape(rune.Value)) return false;
            if (IsCombiningMark(rune.Value))
            {
                if (++marks > MaxMarksPerBase) return false;
                continue;
            }

            marks = 0;
            var isSpace = Rune.IsWhiteSpace(rune.Value);
            if (isSpace && (rune.Value.Value != ' ' || previousSpace)) return false;
            previousSpace = isSpace;
        }

        return !previousSpace;
    }

    /// <summary>Letters and symbols that draw nothing: Hangul fillers, Khmer inherent vowels, the blank Braille pattern, and the other default-ignorable code points that are not marks or format characters.</summary>
    private static bool IsInvisibleLetter(int v) =>
        v is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x17B4 or 0x17B5 or 0x034F or (>= 0x180B and <= 0x180F)
            or (>= 0xFFF0 and <= 0xFFF8) or (>= 0x1BCA0 and <= 0x1BCA3) or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF);

    private static bool IsCombiningMark(Rune r) =>
        !IsInvisibleLetter(r.Value) && Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>A zero-width joiner or non-joiner has a visible effect (and so is kept) only between emoji, or inside an Arabic or Indic word.</summary>
    private static bool JoinsHere(int previous, string value, int next)
    {
        if (previous < 0 || next >= value.Length || ReadRune(value, next, out _) is not { } after) return false;
        return (IsEmoji(previous) && IsEmoji(after.Value)) || (IsJoiningScript(previous) && IsJoiningScript(after.Value));
    }

    private static bool IsEmoji(int v) => v is (>= 0x1F000 and <= 0x1FAFF) or (>= 0x2600 and <= 0x27BF) or 0xFE0F or 0x2640 or 0x2642;

    private static bool IsJoiningScript(int v) => v is (>= 0x0600 and <= 0x07BF) or (>= 0x0860 and <= 0x08FF) or (>= 0x0900 and <= 0x0DFF) or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF);

    private static void FlushMarks(StringBuilder sb, ref int dropped)
    {
        if (dropped == 0) return;
        sb.Append(string.Create(CultureInfo.InvariantCulture, $"[+{dropped:N0} marks]"));
        dropped = 0;
    }

    private static void AppendSpace(StringBuilder sb, ref bool pendingSpace)
    {
        if (pendingSpace && sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
        pendingSpace = false;
    }

    private static Rune? ReadRune(string s, int index, out int width)
    {
        if (Rune.TryGetRuneAt(s, index, out var rune))
        {
            width = rune.Utf16SequenceLength;
            return rune;
        }

        width = 1; // an unpaired surrogate
        return null;
    }

    /// <summary>Never leaves half of a <c>[U+XXXX]</c> escape or <c>[+N marks]</c> count before the ellipsis.</summary>
    private static int BackOffPartialEscape(StringBuilder sb, int keep)
    {
        for (var i = keep - 1; i >= 0 && i >= keep - 16; i--)
        {
            if (sb[i] == ']') return keep;
            if (sb[i] == '[' && i + 2 <= sb.Length && (sb[i + 1] == '+' || (i + 3 <= sb.Length && sb[i + 1] == 'U' && sb[i + 2] == '+'))) return i;
        }

        return keep;
    }

    /// <summary>A dot between a host label's last character (letter, mark, digit, <c>_</c>, <c>-</c>) and a letter: the dots that make host names and URLs linkable (ASCII and the ideographic/full-width dots IDNA accepts).</summary>
    [GeneratedRegex(@"(?<=[\p{L}\p{M}\p{N}_-])[.\u3002\uFF0E\uFF61](?=\p{L})")]
    private static partial Regex HostDot();

    /// <summary>The marker <c>StoredText.Bound</c> leaves when storage cut a value.</summary>
    [GeneratedRegex(@"…\[truncated ([0-9]+) chars\]$")]
    private static partial Regex StorageCutMarker();
}
