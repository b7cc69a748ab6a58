using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IncidentFunctions.Wallarm;

/// <summary>
/// Lenient readers for one JSON value at the reader's current token. A value of an unusable shape is skipped and
/// described in <c>problem</c> (for example <c>object</c> or <c>text 'lots'</c>) instead of failing the record:
/// numbers may come as integers, floats or numeric strings; strings may come as numbers or booleans.
/// </summary>
internal static class WallarmValueReader
{
    private const int MaxProblemText = 24;

    public static string? ReadString(ref Utf8JsonReader reader, out string? problem)
    {
        problem = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return null;
            default:
                problem = Shape(reader.TokenType);
                reader.Skip();
                return null;
        }
    }

    public static long? ReadInt64(ref Utf8JsonReader reader, out string? problem)
    {
        problem = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole)) return whole;
                if (reader.TryGetDouble(out var d) && double.IsFinite(d) && Math.Abs(d) < 9.2e18) return (long)Math.Round(d);
                problem = "number out of range";
                return null;
            case JsonTokenType.String:
                var s = reader.GetString();
                if (string.IsNullOrWhiteSpace(s)) return null;
                s = s.Trim();
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var ds) && double.IsFinite(ds) && Math.Abs(ds) < 9.2e18) return (long)Math.Round(ds);
                problem = $"text '{Bounded(s)}'";
                return null;
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True or JsonTokenType.False:
                problem = "boolean";
                return null;
            default:
                problem = Shape(reader.TokenType);
                reader.Skip();
                return null;
        }
    }

    /// <summary>An array of scalars as strings (a nested value keeps its JSON text); a lone scalar is one element.</summary>
    public static string[]? ReadStrings(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, out string? problem)
    {
        problem = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
                problem = "object";
                reader.Skip();
                return null;
            case JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        items.Add(Encoding.UTF8.GetString(source[start..(int)reader.BytesConsumed]));
                        continue;
                    }

                    items.Add(ReadString(ref reader, out _) ?? "");
                }

                return [.. items];
            default:
                return [ReadString(ref reader, out _) ?? ""];
        }
    }

    public static string Shape(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "text",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        _ => token.ToString(),
    };

    private static string Bounded(string s) => Text.UntrustedText.Sanitize(s, MaxProblemText);
}
