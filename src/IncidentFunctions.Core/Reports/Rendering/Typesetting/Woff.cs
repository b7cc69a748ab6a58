using System.Buffers.Binary;
using System.IO.Compression;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Unpacks WOFF 1.0 (zlib-compressed tables) into the TrueType/OpenType file it wraps. The PDF backend embeds the
/// font file it is given, so it must be plain sfnt, not WOFF.
/// </summary>
internal static class Woff
{
    private const uint Signature = 0x774F4646; // 'wOFF'

    public static byte[] ToSfnt(ReadOnlySpan<byte> woff)
    {
        if (woff.Length < 44 || BinaryPrimitives.ReadUInt32BigEndian(woff) != Signature)
        {
            throw new InvalidDataException("Not a WOFF 1.0 font.");
        }

        var flavor = BinaryPrimitives.ReadUInt32BigEndian(woff[4..]);
        var numTables = BinaryPrimitives.ReadUInt16BigEndian(woff[12..]);
        var tables = new (uint Tag, uint Checksum, byte[] Data)[numTables];
        for (var i = 0; i < numTables; i++)
        {
            var entry = woff.Slice(44 + (i * 20), 20);
            var tag = BinaryPrimitives.ReadUInt32BigEndian(entry);
            var offset = checked((int)BinaryPrimitives.ReadUInt32BigEndian(entry[4..]));
            var compLength = checked((int)BinaryPrimitives.ReadUInt32BigEndian(entry[8..]));
            var origLength = checked((int)BinaryPrimitives.ReadUInt32BigEndian(entry[12..]));
            var checksum = BinaryPrimitives.ReadUInt32BigEndian(entry[16..]);
            var raw = woff.Slice(offset, compLength);
            byte[] data;
            if (compLength < origLength)
            {
                data = new byte[origLength];
                using var z = new ZLibStream(new MemoryStream(raw.ToArray()), CompressionMode.Decompress);
                z.ReadExactly(data);
            }
            else
            {
                data = raw.ToArray();
            }

            tables[i] = (tag, checksum, data);
        }

        Array.Sort(tables, (a, b) => a.Tag.CompareTo(b.Tag));
        var entrySelector = (ushort)Math.Floor(Math.Log2(numTables));
        var searchRange = (ushort)((1 << entrySelector) * 16);
        var headerLength = 12 + (16 * numTables);
        var total = headerLength + tables.Sum(t => (t.Data.Length + 3) & ~3);
        var sfnt = new byte[total];
        var span = sfnt.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, flavor);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], numTables);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], entrySelector);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)((numTables * 16) - searchRange));
        var position = headerLength;
        for (var i = 0; i < tables.Length; i++)
        {
            var record = span.Slice(12 + (i * 16), 16);
            BinaryPrimitives.WriteUInt32BigEndian(record, tables[i].Tag);
            BinaryPrimitives.WriteUInt32BigEndian(record[4..], tables[i].Checksum);
            BinaryPrimitives.WriteUInt32BigEndian(record[8..], (uint)position);
            BinaryPrimitives.WriteUInt32BigEndian(record[12..], (uint)tables[i].Data.Length);
            tables[i].Data.CopyTo(span[position..]);
            position += (tables[i].Data.Length + 3) & ~3;
        }

        return sfnt;
    }
}
