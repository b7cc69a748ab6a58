namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>Minimal RFC 4180 field splitting: commas inside double quotes, doubled quotes as escapes.</summary>
internal static class Csv
{
    public static int Split(ReadOnlySpan<char> line, char separator, Span<Range> fields)
    {
        var count = 0;
        var start = 0;
        var quoted = false;
        for (var i = 0; i <= line.Length; i++)
        {
            if (i < line.Length)
            {
                var c = line[i];
                if (c == '"') quoted = !quoted;
                if (c != separator || quoted) continue;
            }

            if (count == fields.Length) return count;
            fields[count++] = new Range(start, i);
            start = i + 1;
        }

        return count;
    }

    public static string? Field(ReadOnlySpan<char> line, ReadOnlySpan<Range> fields, int count, int i)
        => count > i && Unquote(line[fields[i]]).Trim() is { IsEmpty: false } f ? f.ToString() : null;

    public static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        if (field.Length >= 2 && field[0] == '"' && field[^1] == '"')
        {
            field = field[1..^1];
            // Doubled quotes are rare in these files (organisation names); allocate only then.
            if (field.IndexOf("\"\"", StringComparison.Ordinal) >= 0) return field.ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        return field;
    }
}
