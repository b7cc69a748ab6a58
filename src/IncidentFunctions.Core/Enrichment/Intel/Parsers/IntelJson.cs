using System.Text.Json;

namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>Reading the JSON formats: malformed or foreign JSON is an <see cref="IntelFormatException"/> naming the format.</summary>
internal static class IntelJson
{
    public static JsonDocument Json(byte[] content, string format)
    {
        try
        {
            return JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new IntelFormatException($"Not valid JSON (truncated or not a {format}): {ex.Message}", ex);
        }
    }

    public static JsonElement.ArrayEnumerator RequiredArray(JsonElement root, string property, string format)
        => TryGet(root, property, JsonValueKind.Array, out var array)
            ? array.EnumerateArray()
            : throw new IntelFormatException($"No '{property}' array: this is not a {format}.");

    /// <summary>
    /// The property when <paramref name="element"/> is an object that has it with the value kind asked for. JsonElement
    /// throws (InvalidOperationException, not a format error) when asked for a property of a number or a number of a
    /// string, so everything read from a file goes through here.
    /// </summary>
    public static bool TryGet(JsonElement element, string property, JsonValueKind kind, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out value) && value.ValueKind == kind) return true;
        value = default;
        return false;
    }

    public static string? StringOf(JsonElement element, string property)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    public static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
