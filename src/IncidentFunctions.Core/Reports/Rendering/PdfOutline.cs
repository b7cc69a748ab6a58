using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// Adds a document outline (bookmarks) to a PDF written by Skia. SkiaSharp exposes named destinations
/// (<c>DrawNamedDestinationAnnotation</c>, collected in the catalog's <c>/Dests</c>) but not Skia's outline or
/// structure-tree options, so the outline is appended as a standard incremental update: new outline objects, a
/// revised catalog pointing at them, and an xref section chained with <c>/Prev</c>. The original bytes are untouched:
/// the update is written after them into the same stream (no copy of the document).
/// </summary>
internal static partial class PdfOutline
{
    /// <summary>Appends the outline to the complete PDF in <paramref name="output"/> (from its start to its length), at its end.</summary>
    public static void Append(PdfBuffer output, IReadOnlyList<OutlineEntry> entries)
    {
        if (entries.Count == 0) return;
        var latin1 = Encoding.Latin1;

        // The trailer sits in the last few hundred bytes.
        var tail = latin1.GetString(output.Read(Math.Max(0, output.Length - 2048), 2048));
        var startXref = StartXref().Matches(tail) is { Count: > 0 } sx ? long.Parse(sx[^1].Groups[1].Value, CultureInfo.InvariantCulture) : throw Malformed("startxref");
        var trailerIndex = tail.LastIndexOf("trailer", StringComparison.Ordinal);
        if (trailerIndex < 0) throw Malformed("trailer");
        var trailer = tail[trailerIndex..];
        var size = int.Parse(SizeEntry().Match(trailer) is { Success: true } s ? s.Groups[1].Value : throw Malformed("/Size"), CultureInfo.InvariantCulture);
        var root = int.Parse(RootEntry().Match(trailer) is { Success: true } r ? r.Groups[1].Value : throw Malformed("/Root"), CultureInfo.InvariantCulture);
        var info = InfoEntry().Match(trailer) is { Success: true } i ? i.Groups[1].Value : null;

        var catalog = ReadObject(output, startXref, root);
        var close = catalog.LastIndexOf(">>", StringComparison.Ordinal);
        if (close < 0 || catalog.Contains("/Outlines", StringComparison.Ordinal)) throw Malformed("catalog");

        var outlineId = size;
        var firstItem = size + 1;
        var objects = new List<(int Id, string Body)>
        {
            (root, catalog[..close] + $"\n/Outlines {outlineId} 0 R\n/PageMode /UseOutlines>>"),
            (outlineId, $"<</Type /Outlines\n/First {firstItem} 0 R\n/Last {firstItem + entries.Count - 1} 0 R\n/Count {entries.Count}>>"),
        };
        for (var n = 0; n < entries.Count; n++)
        {
            var item = new StringBuilder()
                .Append("<</Title ").Append(TextString(entries[n].Title))
                .Append("\n/Parent ").Append(outlineId).Append(" 0 R");
            if (n > 0) item.Append("\n/Prev ").Append(firstItem + n - 1).Append(" 0 R");
            if (n < entries.Count - 1) item.Append("\n/Next ").Append(firstItem + n + 1).Append(" 0 R");
            item.Append("\n/Dest /").Append(entries[n].Destination).Append(">>");
            objects.Add((firstItem + n, item.ToString()));
        }

        var offsets = new Dictionary<int, long>();
        Write(output, "\n");
        foreach (var (id, body) in objects)
        {
            offsets[id] = output.Position;
            Write(output, $"{id} 0 obj\n{body}\nendobj\n");
        }

        var xref = output.Position;
        var sb = new StringBuilder("xref\n0 1\n0000000000 65535 f \n");
        sb.Append(CultureInfo.InvariantCulture, $"{root} 1\n{offsets[root]:D10} 00000 n \n");
        sb.Append(CultureInfo.InvariantCulture, $"{outlineId} {entries.Count + 1}\n");
        for (var id = outlineId; id <= outlineId + entries.Count; id++) sb.Append(CultureInfo.InvariantCulture, $"{offsets[id]:D10} 00000 n \n");
        sb.Append(CultureInfo.InvariantCulture, $"trailer\n<</Size {outlineId + entries.Count + 1}\n/Root {root} 0 R");
        if (info is not null) sb.Append(CultureInfo.InvariantCulture, $"\n/Info {info} 0 R");
        sb.Append(CultureInfo.InvariantCulture, $"\n/Prev {startXref}>>\nstartxref\n{xref}\n%%EOF\n");
        Write(output, sb.ToString());
    }

    /// <summary>A PDF text string in UTF-16BE with a byte order mark, as hex: safe for any title.</summary>
    private static string TextString(string value)
    {
        var bytes = Encoding.BigEndianUnicode.GetBytes(value);
        return "<FEFF" + Convert.ToHexString(bytes) + ">";
    }

    /// <summary>Reads object <paramref name="id"/>'s dictionary using the classic xref table Skia writes.</summary>
    private static string ReadObject(PdfBuffer pdf, long xrefOffset, int id)
    {
        var latin1 = Encoding.Latin1;
        var head = latin1.GetString(pdf.Read(xrefOffset, 64));
        var header = XrefHeader().Match(head);
        if (!header.Success) throw Malformed("xref");
        var first = int.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
        var entryStart = xrefOffset + header.Length;
        var entry = latin1.GetString(pdf.Read(entryStart + ((id - first) * 20), 20));
        if (entry.Length < 10) throw Malformed("xref entry");
        var offset = long.Parse(entry.AsSpan(0, 10), CultureInfo.InvariantCulture);
        var end = latin1.GetString(pdf.Read(offset, 4096));
        var start = end.IndexOf("obj", StringComparison.Ordinal) + 3;
        var stop = end.IndexOf("endobj", start, StringComparison.Ordinal);
        if (start < 3 || stop < 0) throw Malformed("catalog object");
        return end[start..stop].Trim();
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.Latin1.GetBytes(text));

    private static InvalidDataException Malformed(string what) => new($"Unexpected PDF structure from the PDF backend ({what}); cannot add the outline.");

    [GeneratedRegex(@"startxref\s+(\d+)")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"/Size\s+(\d+)")]
    private static partial Regex SizeEntry();

    [GeneratedRegex(@"/Root\s+(\d+)\s+0\s+R")]
    private static partial Regex RootEntry();

    [GeneratedRegex(@"/Info\s+(\d+)\s+0\s+R")]
    private static partial Regex InfoEntry();

    [GeneratedRegex(@"^xref\s+(\d+)\s+(\d+)\s*\n")]
    private static partial Regex XrefHeader();
}
