using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IncidentFunctions.Wallarm;

/// <summary>Where each element of an envelope's <c>body</c> array lies, and the envelope's <c>status</c> and <c>cursor</c>.</summary>
internal sealed record ScannedEnvelope(long? Status, string? Cursor, bool HasBody, bool BodyIsArray, ReadOnlyMemory<byte> BodyValue, IReadOnlyList<Range> Elements);

/// <summary>
/// Finds the parts of a <c>{"status", "body": […], "cursor"}</c> envelope without parsing the elements, so one broken
/// record (a syntax error, a stray <c>NaN</c>) is isolated to itself instead of failing its page. Only the envelope's
/// own structure must hold: a response that is not an object, or that ends before its brackets close (cut off), is
/// reported as malformed.
/// </summary>
internal static class WallarmEnvelopeScanner
{
    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[],"u8);
    private static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\"u8);

    /// <exception cref="FormatException">Not a JSON object, cut off, or garbage between the envelope's members.</exception>
    public static ScannedEnvelope Scan(ReadOnlyMemory<byte> memory)
    {
        var json = memory.Span;
        var i = SkipWhitespace(json, 0);
        if (i >= json.Length) throw new FormatException("the response is empty");
        if (json[i] != (byte)'{') throw new FormatException($"the response is not a JSON object (it starts with {Describe(json, i)})");
        i++;

        long? status = null;
        string? cursor = null;
        var hasBody = false;
        var bodyIsArray = false;
        ReadOnlyMemory<byte> bodyValue = default;
        var elements = new List<Range>();
        while (true)
        {
            i = SkipWhitespace(json, i);
            if (i >= json.Length) throw CutOff(i);
            if (json[i] == (byte)'}') break;
            if (json[i] != (byte)'"') throw new FormatException($"expected a member name at byte {i}, found {Describe(json, i)}");
            var nameStart = i + 1;
            i = SkipString(json, i);
            var name = json[nameStart..(i - 1)];
            i = SkipWhitespace(json, i);
            if (i >= json.Length) throw CutOff(i);
            if (json[i] != (byte)':') throw new FormatException($"expected ':' after a member name at byte {i}, found {Describe(json, i)}");
            i = SkipWhitespace(json, i + 1);
            if (i >= json.Length) throw CutOff(i);

            if (name.SequenceEqual("body"u8))
            {
                hasBody = true;
                var valueStart = i;
                if (json[i] == (byte)'[')
                {
                    bodyIsArray = true;
                    i = ScanElements(json, i + 1, elements);
                }
                else
                {
                    i = ScanToDelimiter(json, i);
                }

                bodyValue = memory[valueStart..TrimEnd(json, valueStart, i)];
            }
            else
            {
                var valueStart = i;
                i = ScanToDelimiter(json, i);
                var value = json[valueStart..TrimEnd(json, valueStart, i)];
                if (name.SequenceEqual("status"u8)) status = ReadStatus(value);
                else if (name.SequenceEqual("cursor"u8)) cursor = ReadCursor(value);
            }

            i = SkipWhitespace(json, i);
            if (i >= json.Length) throw CutOff(i);
            if (json[i] == (byte)',')
            {
                i++;
                continue;
            }

            if (json[i] == (byte)'}') break;
            throw new FormatException($"expected ',' or '}}' at byte {i}, found {Describe(json, i)}");
        }

        i = SkipWhitespace(json, i + 1);
        if (i < json.Length) throw new FormatException($"unexpected data after the response object at byte {i}");
        return new ScannedEnvelope(status, cursor, hasBody, bodyIsArray, bodyValue, elements);
    }

    /// <summary>Records each element's range up to the array's closing bracket; returns the index after it.</summary>
    private static int ScanElements(ReadOnlySpan<byte> json, int i, List<Range> elements)
    {
        while (true)
        {
            i = SkipWhitespace(json, i);
            if (i >= json.Length) throw CutOff(i);
            if (json[i] == (byte)']') return i + 1;
            if (json[i] == (byte)',')
            {
                i++; // an empty slot ("[a,,b]"): nothing to read there
                continue;
            }

            var start = i;
            i = ScanToDelimiter(json, i);
            elements.Add(new Range(start, TrimEnd(json, start, i)));
            if (json[i] == (byte)',') i++;
            else if (json[i] == (byte)']') return i + 1;
            else throw new FormatException($"the body array is closed by '{(char)json[i]}' at byte {i}");
        }
    }

    /// <summary>
    /// Skips one value, tolerating garbage inside it: returns the index of the ',' or closing bracket that ends it at
    /// this nesting level. Strings and nested brackets are skipped whole.
    /// </summary>
    private static int ScanToDelimiter(ReadOnlySpan<byte> json, int i)
    {
        var depth = 0;
        while (true)
        {
            var next = json[i..].IndexOfAny(Structural);
            if (next < 0) throw CutOff(json.Length);
            i += next;
            switch (json[i])
            {
                case (byte)'"':
                    i = SkipString(json, i);
                    continue;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (depth == 0) return i;
                    depth--;
                    break;
                case (byte)',':
                    if (depth == 0) return i;
                    break;
            }

            i++;
        }
    }

    /// <summary>From an opening quote to just after the closing one.</summary>
    private static int SkipString(ReadOnlySpan<byte> json, int i)
    {
        i++;
        while (true)
        {
            var next = json[i..].IndexOfAny(StringEnd);
            if (next < 0) throw CutOff(json.Length);
            i += next;
            if (json[i] == (byte)'"') return i + 1;
            i += 2; // a backslash and the character it escapes
            if (i > json.Length) throw CutOff(json.Length);
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i++;
        return i;
    }

    private static int TrimEnd(ReadOnlySpan<byte> json, int start, int end)
    {
        while (end > start && json[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') end--;
        return end;
    }

    private static long? ReadStatus(ReadOnlySpan<byte> value)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            return reader.Read() ? WallarmValueReader.ReadInt64(ref reader, out _) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadCursor(ReadOnlySpan<byte> value)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static FormatException CutOff(int at) => new(string.Create(CultureInfo.InvariantCulture, $"the response ends at byte {at} before its brackets close (cut off)"));

    private static string Describe(ReadOnlySpan<byte> json, int at)
    {
        var b = json[at];
        return b is >= 0x21 and < 0x7F ? $"'{(char)b}'" : string.Create(CultureInfo.InvariantCulture, $"byte 0x{b:X2}");
    }

    /// <summary>For messages: the first bytes of a response as visible text.</summary>
    public static string Preview(ReadOnlySpan<byte> json, int max = 80)
    {
        var text = Encoding.UTF8.GetString(json[..Math.Min(json.Length, max * 4)]);
        var sb = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (sb.Length >= max) break;
            sb.Append(char.IsControl(c) || char.IsSurrogate(c) ? ' ' : c);
        }

        return sb.ToString();
    }
}
