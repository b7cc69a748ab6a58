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
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw new IntelFormatException($"No '{property}' array: this is not a {format}.");

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
