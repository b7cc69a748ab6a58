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

        // Cutting more can lengthen the count in the marker (99 → 100 chars), so shrink until the marker that states
        // the final cut fits beside what is kept; never end the kept part on the first half of a surrogate pair.
        var keep = maxChars;
        string marker;
        while (true)
        {
            marker = MarkerPrefix + (value.Length - keep).ToString(CultureInfo.InvariantCulture) + " chars]";
            var next = Math.Max(0, maxChars - marker.Length);
            if (next > 0 && char.IsHighSurrogate(value[next - 1])) next--;
            if (next >= keep) break;
            keep = next;
        }

        return string.Concat(value.AsSpan(0, keep), marker);
    }

    public static bool IsTruncated(string? value) => value is not null && value.Contains(MarkerPrefix, StringComparison.Ordinal) && value.EndsWith(" chars]", StringComparison.Ordinal);
}
