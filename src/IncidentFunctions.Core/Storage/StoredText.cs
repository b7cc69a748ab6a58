using System.Globalization;

namespace IncidentFunctions.Storage;

/// <summary>Bounds strings to what a table property can hold, with a visible marker of what was cut.</summary>
public static class StoredText
{
    /// <summary>A table string property holds at most 64 KiB of UTF-16, i.e. 32,768 characters.</summary>
    public const int MaxPropertyChars = 32_000;

    public const string MarkerPrefix = "…[truncated ";

    /// <summary>
    /// Returns <paramref name="value"/> when it fits <paramref name="maxChars"/>; otherwise its head and a marker such
    /// as <c>…[truncated 12345 chars]</c>, the whole result within <paramref name="maxChars"/>. Never splits a surrogate pair.
    /// </summary>
    public static string? Bound(string? value, int maxChars)
    {
        if (value is null || value.Length <= maxChars) return value;
        var cut = value.Length;
        var keep = maxChars;
        string marker;
        do
        {
            marker = MarkerPrefix + (cut - keep).ToString(CultureInfo.InvariantCulture) + " chars]";
            keep = Math.Max(0, maxChars - marker.Length);
        }
        while (keep + marker.Length > maxChars);

        if (keep > 0 && char.IsHighSurrogate(value[keep - 1])) keep--;
        return string.Concat(value.AsSpan(0, keep), MarkerPrefix, (value.Length - keep).ToString(CultureInfo.InvariantCulture), " chars]");
    }

    public static bool IsTruncated(string? value) => value is not null && value.Contains(MarkerPrefix, StringComparison.Ordinal) && value.EndsWith(" chars]", StringComparison.Ordinal);
}
