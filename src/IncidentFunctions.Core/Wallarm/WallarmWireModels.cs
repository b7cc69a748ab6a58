using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentFunctions.Wallarm;

// Wire shapes of the legacy /v1/objects API. Small answers (user, count) are read with System.Text.Json through lenient
// converters, because the API sends counters as integers or floats (attack/count returns hits as 61818.0) and optional
// fields may be missing or null. Attack and vulnerability records are read one by one by WallarmRecordReader, so one
// unreadable record is set aside instead of failing its page; their shapes are in WallarmRecords.cs.

/// <summary>The <c>{"status": int, "body": …}</c> envelope; v2 cursor responses add <c>cursor</c>.</summary>
public sealed class WallarmEnvelope<TBody>
{
    [JsonPropertyName("status")]
    [JsonConverter(typeof(LenientNullableInt64Converter))]
    public long? Status { get; init; }

    [JsonPropertyName("body")]
    public TBody? Body { get; init; }

    [JsonPropertyName("cursor")]
    public string? Cursor { get; init; }
}

public sealed class WallarmUser
{
    [JsonPropertyName("client_id")]
    [JsonConverter(typeof(LenientNullableInt64Converter))]
    public long? ClientId { get; init; }
}

/// <summary>Body of <c>/v1/objects/attack/count</c>: <c>{attacks, hits, ips}</c>.</summary>
public sealed class WallarmAttackCount
{
    [JsonPropertyName("attacks")]
    [JsonConverter(typeof(LenientNullableInt64Converter))]
    public long? Attacks { get; init; }

    [JsonPropertyName("hits")]
    [JsonConverter(typeof(LenientNullableInt64Converter))]
    public long? Hits { get; init; }

    [JsonPropertyName("ips")]
    [JsonConverter(typeof(LenientNullableInt64Converter))]
    public long? Ips { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(WallarmEnvelope<WallarmAttackCount>))]
[JsonSerializable(typeof(WallarmEnvelope<WallarmUser>))]
internal sealed partial class WallarmJsonContext : JsonSerializerContext;

/// <summary>Reads an integer sent as integer, float (rounded), numeric string, or null.</summary>
public sealed class LenientNullableInt64Converter : JsonConverter<long?>
{
    public override bool HandleNull => true;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole)) return whole;
                var d = reader.GetDouble();
                return double.IsFinite(d) && Math.Abs(d) < 9.2e18 ? (long)Math.Round(d) : throw new JsonException($"Number {d} is out of range.");
            case JsonTokenType.String:
                var s = reader.GetString();
                if (string.IsNullOrWhiteSpace(s)) return null;
                if (long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l)) return l;
                if (double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ds) && double.IsFinite(ds)) return (long)Math.Round(ds);
                throw new JsonException($"Expected a number, got the string '{Bounded(s)}'.");
            case JsonTokenType.True or JsonTokenType.False:
                throw new JsonException("Expected a number, got a boolean.");
            default:
                throw new JsonException($"Expected a number, got {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteNumberValue(value.Value);
    }

    private static string Bounded(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
