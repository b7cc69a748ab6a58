using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace IncidentFunctions.Wallarm;

/// <summary>
/// Repairs what attack traffic puts inside JSON strings and a strict parser refuses, without touching anything outside
/// strings: invalid UTF-8 and unpaired UTF-16 surrogate escapes become U+FFFD, raw control characters become
/// <c>\u00XX</c> escapes, and a backslash that starts no valid escape is escaped itself. Text that needs no repair
/// (the usual case) is returned as is, without a copy.
/// </summary>
/// <remarks>
/// Structure is not this class's concern: a page that is cut off or not JSON stays so (the scanner reports it), and
/// an unterminated string is copied through unchanged.
/// </remarks>
internal static class WallarmJsonRepair
{
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\"u8);
    private static readonly byte[] ReplacementUtf8 = [0xEF, 0xBF, 0xBD];

    /// <summary>The repaired text and where it differs from the input: the byte offsets (in the output) of each repair.</summary>
    public readonly record struct Result(ReadOnlyMemory<byte> Json, IReadOnlyList<int> RepairOffsets)
    {
        public bool Changed => RepairOffsets.Count > 0;
    }

    public static Result Repair(ReadOnlyMemory<byte> input)
    {
        var src = input.Span;
        if (NeedsNoRepair(src)) return new Result(input, []);

        ArrayBufferWriter<byte>? output = null;
        List<int>? repairs = null;
        var copiedUpTo = 0;
        var i = 0;
        while (i < src.Length)
        {
            // Outside strings nothing is repaired: jump to the next string.
            var quote = src[i..].IndexOf((byte)'"');
            if (quote < 0) break;
            i += quote + 1;

            // Inside a string: stop at its end, at escapes, and at any byte outside printable ASCII.
            while (i < src.Length)
            {
                // Odd bytes are looked for only up to the string's end or next escape: searching the rest of the
                // answer for each string would make a page of clean strings quadratic.
                var rest = src[i..];
                var special = rest.IndexOfAny(StringSpecials);
                var odd = (special < 0 ? rest : rest[..special]).IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
                var next = odd >= 0 ? odd : special;
                if (next < 0)
                {
                    i = src.Length;
                    break;
                }

                i += next;
                var b = src[i];
                if (b == (byte)'"')
                {
                    i++;
                    break;
                }

                if (b == (byte)'\\')
                {
                    var (consumed, replacement) = CheckEscape(src, i);
                    if (replacement is not null) Replace(ref output, ref repairs, ref copiedUpTo, src, i, consumed, replacement);
                    i += consumed;
                    continue;
                }

                if (b < 0x20)
                {
                    Replace(ref output, ref repairs, ref copiedUpTo, src, i, 1, Encoding.ASCII.GetBytes($"\\u{b:x4}"));
                    i++;
                    continue;
                }

                if (b == 0x7F)
                {
                    i++;
                    continue;
                }

                var status = Rune.DecodeFromUtf8(src[i..], out _, out var length);
                if (status != OperationStatus.Done)
                {
                    // NeedMoreData at the very end is a cut-off page, and the scanner says so; the invalid bytes still
                    // become one U+FFFD each maximal invalid subsequence, as UTF-8 decoders do.
                    Replace(ref output, ref repairs, ref copiedUpTo, src, i, Math.Max(1, length), ReplacementUtf8);
                }

                i += Math.Max(1, length);
            }
        }

        if (output is null) return new Result(input, []);
        output.Write(src[copiedUpTo..]);
        return new Result(output.WrittenMemory, repairs!);
    }

    /// <summary>
    /// The common case, decided with vectorised searches instead of walking every string: no control bytes (compact
    /// answers have none; raw whitespace between tokens goes the long way, which is still right), valid UTF-8, and
    /// every escape valid with its surrogates paired. Backslashes only occur inside strings in JSON, so each one starts
    /// an escape, and skipping the escaped character keeps <c>\\u</c> (an escaped backslash, then text) apart.
    /// </summary>
    private static bool NeedsNoRepair(ReadOnlySpan<byte> json)
    {
        if (json.IndexOfAnyInRange((byte)0x00, (byte)0x1F) >= 0 || !Utf8.IsValid(json)) return false;
        var i = 0;
        while (true)
        {
            var next = json[i..].IndexOf((byte)'\\');
            if (next < 0) return true;
            var at = i + next;
            if (at + 1 >= json.Length) return false; // cut off: the long way lets the scanner say so
            var (consumed, replacement) = CheckEscape(json, at);
            if (replacement is not null) return false;
            i = at + consumed;
        }
    }

    /// <summary>
    /// Checks the escape at <paramref name="at"/> (a backslash). Returns its length and, when it cannot be decoded, what
    /// replaces it: <c>\ufffd</c> for an unpaired surrogate, an escaped backslash for an unknown escape.
    /// </summary>
    private static (int Consumed, byte[]? Replacement) CheckEscape(ReadOnlySpan<byte> src, int at)
    {
        if (at + 1 >= src.Length) return (1, null); // cut off; the scanner reports it
        var kind = src[at + 1];
        if (kind is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t') return (2, null);
        if (kind != (byte)'u') return (1, "\\\\"u8.ToArray());
        if (!TryHex4(src, at + 2, out var unit)) return (1, "\\\\"u8.ToArray());
        if (unit is >= 0xD800 and <= 0xDBFF)
        {
            if (at + 7 < src.Length && src[at + 6] == (byte)'\\' && src[at + 7] == (byte)'u' && TryHex4(src, at + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
            {
                return (12, null);
            }

            return (6, "\\ufffd"u8.ToArray());
        }

        return unit is >= 0xDC00 and <= 0xDFFF ? (6, "\\ufffd"u8.ToArray()) : (6, null);
    }

    private static bool TryHex4(ReadOnlySpan<byte> src, int at, out int value)
    {
        value = 0;
        if (at + 4 > src.Length) return false;
        for (var k = 0; k < 4; k++)
        {
            var c = src[at + k];
            int digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0) return false;
            value = (value << 4) | digit;
        }

        return true;
    }

    private static void Replace(ref ArrayBufferWriter<byte>? output, ref List<int>? repairs, ref int copiedUpTo, ReadOnlySpan<byte> src, int at, int length, ReadOnlySpan<byte> replacement)
    {
        output ??= new ArrayBufferWriter<byte>(src.Length + 64);
        repairs ??= [];
        output.Write(src[copiedUpTo..at]);
        repairs.Add(output.WrittenCount);
        output.Write(replacement);
        copiedUpTo = at + length;
    }
}
