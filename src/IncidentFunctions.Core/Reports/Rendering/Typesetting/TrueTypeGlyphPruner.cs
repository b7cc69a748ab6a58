using System.Buffers.Binary;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Makes a copy of a TrueType (glyf-outline) font in which every glyph outside a given set is empty. Glyph ids,
/// the character map and all metrics stay exactly as they were, so text measures and draws the same; only the
/// outlines nobody draws are gone. Used because SkiaSharp's PDF backend embeds a font file whole: a CJK fallback
/// slice of ~40 KB becomes a few kilobytes when only a handful of its ideographs appear in the report.
/// </summary>
internal static class TrueTypeGlyphPruner
{
    private const ushort ArgsAreWords = 0x0001;
    private const ushort HasScale = 0x0008;
    private const ushort MoreComponents = 0x0020;
    private const ushort HasXyScale = 0x0040;
    private const ushort HasTwoByTwo = 0x0080;

    /// <summary>OpenType layout tables: only the shaper reads them, and it shapes with the full font, never the embedded copy.</summary>
    public static readonly string[] LayoutTables = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH"];

    /// <summary>A copy of <paramref name="sfnt"/> keeping the outlines of <paramref name="keep"/> (plus .notdef and composite parts).</summary>
    /// <exception cref="InvalidDataException">The font has no glyf/loca outlines or its tables are inconsistent.</exception>
    public static byte[] KeepOnly(byte[] sfnt, IEnumerable<ushort> keep) => KeepOnly(sfnt, keep, []);

    /// <summary>As <see cref="KeepOnly(byte[], IEnumerable{ushort})"/>, also leaving out the tables named in <paramref name="dropTables"/>.</summary>
    public static byte[] KeepOnly(byte[] sfnt, IEnumerable<ushort> keep, IReadOnlyCollection<string> dropTables)
    {
        var tables = ReadTables(sfnt);
        if (!tables.TryGetValue("glyf", out var glyf) || !tables.TryGetValue("loca", out var loca)
            || !tables.TryGetValue("head", out var head) || !tables.TryGetValue("maxp", out var maxp))
        {
            throw new InvalidDataException("Not a TrueType font with glyf outlines.");
        }

        var longOffsets = BinaryPrimitives.ReadInt16BigEndian(head.Span[50..]) != 0;
        var glyphCount = BinaryPrimitives.ReadUInt16BigEndian(maxp.Span[4..]);
        var offsets = new int[glyphCount + 1];
        for (var g = 0; g <= glyphCount; g++)
        {
            offsets[g] = longOffsets
                ? checked((int)BinaryPrimitives.ReadUInt32BigEndian(loca.Span[(g * 4)..]))
                : BinaryPrimitives.ReadUInt16BigEndian(loca.Span[(g * 2)..]) * 2;
            if (offsets[g] > glyf.Length || (g > 0 && offsets[g] < offsets[g - 1])) throw new InvalidDataException("Inconsistent loca table.");
        }

        // The kept set, closed over the components of composite glyphs.
        var kept = new bool[glyphCount];
        var pending = new Stack<int>(keep.Select(g => (int)g).Append(0).Where(g => g < glyphCount));
        while (pending.TryPop(out var g))
        {
            if (kept[g]) continue;
            kept[g] = true;
            foreach (var component in Components(glyf.Span[offsets[g]..offsets[g + 1]]))
            {
                if (component < glyphCount && !kept[component]) pending.Push(component);
            }
        }

        using var newGlyf = new MemoryStream();
        var newLoca = new byte[(glyphCount + 1) * (longOffsets ? 4 : 2)];
        for (var g = 0; g <= glyphCount; g++)
        {
            var position = (int)newGlyf.Position;
            if (longOffsets) BinaryPrimitives.WriteUInt32BigEndian(newLoca.AsSpan(g * 4), (uint)position);
            else BinaryPrimitives.WriteUInt16BigEndian(newLoca.AsSpan(g * 2), (ushort)(position / 2));
            if (g == glyphCount || !kept[g]) continue;
            newGlyf.Write(glyf.Span[offsets[g]..offsets[g + 1]]);
            while (newGlyf.Position % (longOffsets ? 4 : 2) != 0) newGlyf.WriteByte(0);
        }

        foreach (var tag in dropTables) tables.Remove(tag);
        tables["glyf"] = newGlyf.GetBuffer().AsMemory(0, (int)newGlyf.Length);
        tables["loca"] = newLoca;
        return WriteFont(BinaryPrimitives.ReadUInt32BigEndian(sfnt), tables);
    }

    private static List<int> Components(ReadOnlySpan<byte> glyph)
    {
        var components = new List<int>();
        if (glyph.Length < 10 || BinaryPrimitives.ReadInt16BigEndian(glyph) >= 0) return components;
        var p = 10;
        ushort flags;
        do
        {
            if (p + 4 > glyph.Length) throw new InvalidDataException("Truncated composite glyph.");
            flags = BinaryPrimitives.ReadUInt16BigEndian(glyph[p..]);
            components.Add(BinaryPrimitives.ReadUInt16BigEndian(glyph[(p + 2)..]));
            p += 4 + ((flags & ArgsAreWords) != 0 ? 4 : 2);
            p += (flags & HasTwoByTwo) != 0 ? 8 : (flags & HasXyScale) != 0 ? 4 : (flags & HasScale) != 0 ? 2 : 0;
        }
        while ((flags & MoreComponents) != 0);
        return components;
    }

    /// <summary>The font's tables by tag, as slices of <paramref name="sfnt"/> (read only: nothing is copied until the new font is written).</summary>
    private static SortedDictionary<string, ReadOnlyMemory<byte>> ReadTables(byte[] sfnt)
    {
        var span = sfnt.AsSpan();
        var count = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        var tables = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var record = span.Slice(12 + (i * 16), 16);
            var tag = System.Text.Encoding.Latin1.GetString(record[..4]);
            var offset = checked((int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]));
            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(record[12..]));
            tables[tag] = sfnt.AsMemory(offset, length);
        }

        return tables;
    }

    /// <summary>Writes an sfnt with tables in tag order, 4-byte aligned, with correct checksums.</summary>
    private static byte[] WriteFont(uint flavor, SortedDictionary<string, ReadOnlyMemory<byte>> tables)
    {
        var count = (ushort)tables.Count;
        var entrySelector = (ushort)Math.Floor(Math.Log2(count));
        var searchRange = (ushort)((1 << entrySelector) * 16);
        var headerLength = 12 + (16 * count);
        var font = new byte[headerLength + tables.Values.Sum(t => (t.Length + 3) & ~3)];
        var span = font.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, flavor);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], count);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], entrySelector);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)((count * 16) - searchRange));
        var position = headerLength;
        var headOffset = -1;
        var i = 0;
        foreach (var (tag, data) in tables)
        {
            var table = span.Slice(position, data.Length);
            data.Span.CopyTo(table);
            if (tag == "head")
            {
                headOffset = position;
                BinaryPrimitives.WriteUInt32BigEndian(table[8..], 0); // checkSumAdjustment is computed last
            }

            var record = span.Slice(12 + (i++ * 16), 16);
            System.Text.Encoding.Latin1.GetBytes(tag, record[..4]);
            BinaryPrimitives.WriteUInt32BigEndian(record[4..], Checksum(table));
            BinaryPrimitives.WriteUInt32BigEndian(record[8..], (uint)position);
            BinaryPrimitives.WriteUInt32BigEndian(record[12..], (uint)data.Length);
            position += (data.Length + 3) & ~3;
        }

        if (headOffset >= 0) BinaryPrimitives.WriteUInt32BigEndian(span[(headOffset + 8)..], unchecked(0xB1B0AFBA - Checksum(font)));
        return font;
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 4)
        {
            uint word = 0;
            for (var k = 0; k < 4; k++) word = (word << 8) | (i + k < data.Length ? data[i + k] : 0u);
            sum = unchecked(sum + word);
        }

        return sum;
    }
}
