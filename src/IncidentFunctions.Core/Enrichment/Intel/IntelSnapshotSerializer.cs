using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentFunctions.Enrichment.Intel;

/// <summary>
/// The snapshot's blob format: a gzip stream with a magic header, a format version and every source's ranges in
/// arrays. Sources stay separate in it, so a refresh can replace one source and keep the last good copy of another.
/// </summary>
public static class IntelSnapshotSerializer
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "IFINTEL\0"u8.ToArray();

    public static void Write(IntelSnapshot snapshot, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        using var gzip = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true);
        using var w = new BinaryWriter(gzip, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(snapshot.Version);
        w.Write(snapshot.CreatedAt.ToUnixTimeMilliseconds());
        w.Write(snapshot.Sources.Count);
        foreach (var source in snapshot.Sources)
        {
            w.Write(JsonSerializer.Serialize(source.Info, IntelJsonContext.Default.IntelSourceInfo));
            var c = source.Content;
            WriteOptional(w, c.DatasetVersion);
            w.Write(c.DatasetDate?.ToUnixTimeMilliseconds() ?? long.MinValue);
            w.Write(c.InvalidEntries);
            WriteTable(w, c.Geo, static (w, v) =>
            {
                w.Write(v.CountryCode);
                WriteOptional(w, v.CountryName);
                WriteOptional(w, v.Region);
                WriteOptional(w, v.City);
            });
            WriteTable(w, c.Asn, static (w, v) =>
            {
                w.Write(v.Asn);
                WriteOptional(w, v.Organization);
            });
            WriteTable(w, c.Anonymity, static (w, v) => w.Write((int)v));
            WriteTable(w, c.Cloud, static (w, v) =>
            {
                w.Write(v.Provider);
                WriteOptional(w, v.Region);
                WriteOptional(w, v.Service);
            });
            w.Write(c.Listed is not null);
            if (c.Listed is not null) WriteRanges(w, c.Listed);
            w.Write(c.ListedAsns?.Count ?? -1);
            foreach (var asn in c.ListedAsns ?? []) w.Write(asn);
            w.Write(c.Tor?.Count ?? -1);
            foreach (var t in c.Tor ?? [])
            {
                WriteNumber(w, t.Address);
                w.Write(t.FirstListed.ToUnixTimeMilliseconds());
                w.Write(t.LastListed.ToUnixTimeMilliseconds());
                w.Write(t.Current);
            }
        }

        w.Write(Magic);
    }

    public static byte[] ToBytes(IntelSnapshot snapshot)
    {
        using var buffer = new MemoryStream();
        Write(snapshot, buffer);
        return buffer.ToArray();
    }

    /// <summary>Reads a snapshot; anything else (wrong magic, other format version, truncation) is an <see cref="InvalidDataException"/>.</summary>
    public static IntelSnapshot Read(Stream source)
    {
        try
        {
            using var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            using var r = new BinaryReader(gzip, Encoding.UTF8, leaveOpen: true);
            ExpectMagic(r);
            var format = r.ReadInt32();
            if (format != FormatVersion) throw new InvalidDataException($"Intel snapshot format {format} is not supported (expected {FormatVersion}).");
            var version = r.ReadString();
            var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64());
            var count = r.ReadInt32();
            var sources = new List<IntelSourceData>(count);
            for (var i = 0; i < count; i++)
            {
                var info = JsonSerializer.Deserialize(r.ReadString(), IntelJsonContext.Default.IntelSourceInfo)
                    ?? throw new InvalidDataException("Intel snapshot has a null source.");
                var content = new IntelSourceContent { DatasetVersion = ReadOptional(r) };
                var date = r.ReadInt64();
                content.DatasetDate = date == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(date);
                content.InvalidEntries = r.ReadInt32();
                content.Geo = ReadTable(r, static r => new GeoValue(r.ReadString(), ReadOptional(r), ReadOptional(r), ReadOptional(r)));
                content.Asn = ReadTable(r, static r => new AsnValue(r.ReadInt64(), ReadOptional(r)));
                content.Anonymity = ReadTable(r, static r => (AnonymityTraits)r.ReadInt32());
                content.Cloud = ReadTable(r, static r => new CloudValue(r.ReadString(), ReadOptional(r), ReadOptional(r)));
                if (r.ReadBoolean()) content.Listed = ReadRanges(r);
                var asns = r.ReadInt32();
                if (asns >= 0)
                {
                    content.ListedAsns = new HashSet<long>(asns);
                    for (var k = 0; k < asns; k++) content.ListedAsns.Add(r.ReadInt64());
                }

                var tor = r.ReadInt32();
                if (tor >= 0)
                {
                    content.Tor = new List<TorListing>(tor);
                    for (var k = 0; k < tor; k++)
                    {
                        content.Tor.Add(new TorListing(ReadNumber(r), DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64()), DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64()), r.ReadBoolean()));
                    }
                }

                sources.Add(new IntelSourceData(info, content));
            }

            ExpectMagic(r);
            return new IntelSnapshot(version, createdAt, sources);
        }
        catch (Exception ex) when (ex is IOException or JsonException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"Intel snapshot is truncated or corrupt: {ex.Message}", ex);
        }
    }

    private static void ExpectMagic(BinaryReader r)
    {
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("Not an intel snapshot (bad magic).");
    }

    private static void WriteOptional(BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null) w.Write(text);
    }

    private static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteNumber(BinaryWriter w, UInt128 value)
    {
        w.Write((ulong)(value >> 64));
        w.Write((ulong)value);
    }

    private static UInt128 ReadNumber(BinaryReader r) => new(r.ReadUInt64(), r.ReadUInt64());

    private static void WriteRanges(BinaryWriter w, RangeCollector ranges)
    {
        w.Write(ranges.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            WriteNumber(w, ranges.Starts[i]);
            WriteNumber(w, ranges.Ends[i]);
            w.Write(ranges.Values[i]);
        }
    }

    private static RangeCollector ReadRanges(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException("Negative range count.");
        var ranges = new RangeCollector(count);
        for (var i = 0; i < count; i++) ranges.AddExact(ReadNumber(r), ReadNumber(r), r.ReadInt32());
        return ranges;
    }

    private static void WriteTable<T>(BinaryWriter w, RangeTable<T>? table, Action<BinaryWriter, T> write)
        where T : notnull
    {
        w.Write(table is not null);
        if (table is null) return;
        w.Write(table.Values.Count);
        foreach (var value in table.Values) write(w, value);
        WriteRanges(w, table.Ranges);
    }

    private static RangeTable<T>? ReadTable<T>(BinaryReader r, Func<BinaryReader, T> read)
        where T : notnull
    {
        if (!r.ReadBoolean()) return null;
        var valueCount = r.ReadInt32();
        if (valueCount < 0) throw new InvalidDataException("Negative value count.");
        var values = new List<T>(valueCount);
        for (var i = 0; i < valueCount; i++) values.Add(read(r));
        var ranges = ReadRanges(r);
        for (var i = 0; i < ranges.Count; i++)
        {
            if ((uint)ranges.Values[i] >= (uint)valueCount) throw new InvalidDataException("Range points past the value table.");
        }

        var table = new RangeTable<T>(ranges, values);
        return table;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(IntelSourceInfo))]
[JsonSerializable(typeof(IntelStatus))]
[JsonSerializable(typeof(IntelLatest))]
internal sealed partial class IntelJsonContext : JsonSerializerContext;
