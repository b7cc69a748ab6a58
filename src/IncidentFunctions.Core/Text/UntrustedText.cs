using System.Globalization;
using System.Text;

namespace IncidentFunctions.Text;

/// <summary>
/// Makes attacker-controlled text (paths, parameters, payloads, domains) safe to show: characters that are invisible
/// or that change how the surrounding text is laid out become visible escapes such as <c>[U+202E]</c>, whitespace runs
/// become one space, and the length is bounded with an ellipsis. The result is plain text; a renderer or chat
/// platform still applies its own escaping (markup, mentions) on top.
/// </summary>
public static class UntrustedText
{
    public const string Ellipsis = "…";

    /// <summary>Sanitises <paramref name="value"/> and bounds it to <paramref name="maxChars"/> UTF-16 units.</summary>
    /// <param name="value">Raw text; null gives an empty string.</param>
    /// <param name="maxChars">Upper bound of the result's length, ellipsis and count included.</param>
    /// <param name="showCutCount">Append how many characters were cut, e.g. <c>…(+1,048,560)</c>.</param>
    public static string Sanitize(string? value, int maxChars = 500, bool showCutCount = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        if (string.IsNullOrEmpty(value)) return "";

        // Most text is already clean and short: return it as is (exactly what the loop below would build).
        if (value.Length <= maxChars && IsClean(value)) return value;

        // Only the head can survive the bound, so never scan a megabyte to keep a few hundred characters.
        var sb = new StringBuilder(Math.Min(value.Length, maxChars) + 16);
        var consumed = 0;
        var pendingSpace = false;
        while (consumed < value.Length && sb.Length <= maxChars)
        {
            var rune = ReadRune(value, consumed, out var width);
            consumed += width;
            if (rune is null)
            {
                AppendSpace(sb, ref pendingSpace);
                sb.Append(Escape(value[consumed - 1]));
                continue;
            }

            var r = rune.Value;
            if (Rune.IsWhiteSpace(r) && r.Value != 0x3000) // ideographic space keeps CJK spacing
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            AppendSpace(sb, ref pendingSpace);
            if (NeedsEscape(r)) sb.Append(Escape(r.Value));
            else if (r.IsBmp) sb.Append((char)r.Value);
            else sb.Append(value, consumed - width, width);
        }

        var more = consumed < value.Length;
        if (!more && sb.Length <= maxChars) return sb.ToString();

        var suffix = Ellipsis;
        var keep = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            keep = Math.Min(sb.Length, Math.Max(0, maxChars - suffix.Length));
            if (keep > 0 && char.IsHighSurrogate(sb[keep - 1])) keep--;
            keep = BackOffPartialEscape(sb, keep);
            if (!showCutCount) break;
            var cut = sb.Length - keep + (value.Length - consumed);
            var next = string.Create(CultureInfo.InvariantCulture, $"{Ellipsis}(+{cut:N0})");
            var settled = attempt > 0 && next.Length == suffix.Length;
            suffix = next;
            if (settled) break;
        }

        sb.Length = keep;
        return sb.Append(suffix).ToString().TrimStart();
    }

    /// <summary>The visible form of a code point no font or channel should carry raw: <c>[U+202E]</c>.</summary>
    public static string Escape(int codePoint) => string.Create(CultureInfo.InvariantCulture, $"[U+{codePoint:X4}]");

    /// <summary>
    /// True for characters that are invisible or reorder text: controls, bidi embeddings/overrides/isolates and marks,
    /// zero-width and other format characters, private-use and unpaired surrogates, and non-characters.
    /// </summary>
    public static bool NeedsEscape(Rune rune)
    {
        var v = rune.Value;
        if (v is >= 0xFFF9 and <= 0xFFFB) return true; // interlinear annotation controls
        if ((v & 0xFFFE) == 0xFFFE || v is >= 0xFDD0 and <= 0xFDEF) return true; // non-characters
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
        while (i < value.Length)
        {
            var rune = ReadRune(value, i, out var width);
            i += width;
            if (rune is null || NeedsEscape(rune.Value)) return false;
            var isSpace = Rune.IsWhiteSpace(rune.Value);
            if (isSpace && (rune.Value.Value != ' ' || previousSpace)) return false;
            previousSpace = isSpace;
        }

        return !previousSpace;
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

    /// <summary>Never leaves half of a <c>[U+XXXX]</c> escape before the ellipsis.</summary>
    private static int BackOffPartialEscape(StringBuilder sb, int keep)
    {
        for (var i = keep - 1; i >= 0 && i >= keep - 10; i--)
        {
            if (sb[i] == ']') return keep;
            if (sb[i] == '[' && i + 3 <= sb.Length && sb[i + 1] == 'U' && sb[i + 2] == '+') return i;
        }

        return keep;
    }
}
