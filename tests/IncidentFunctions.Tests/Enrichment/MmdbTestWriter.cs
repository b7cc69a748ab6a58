using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace IncidentFunctions.Tests.Enrichment;

/// <summary>
/// Writes tiny MaxMind DB files (format 2.0, IPv6 tree, 24-bit records) so the GeoIP2 City, ASN and Anonymous-IP
/// schemas can be tested without MaxMind's data (whose licence forbids committing it). Networks must not overlap.
/// </summary>
internal sealed class MmdbTestWriter(string databaseType)
{
    private readonly List<(byte[] Address, int Prefix, Dictionary<string, object> Data)> _networks = [];

    public MmdbTestWriter Add(string cidr, Dictionary<string, object> data)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        var prefix = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = new byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            // IPv4 lives at ::a.b.c.d/96+n in an IPv6 tree.
            address.GetAddressBytes().CopyTo(bytes, 12);
            prefix += 96;
        }
        else
        {
            address.GetAddressBytes().CopyTo(bytes, 0);
        }

        _networks.Add((bytes, prefix, data));
        return this;
    }

    public byte[] Build(DateTimeOffset buildTime)
    {
        // Trie: child = -1 empty, >= 0 node index, <= -2 data index (-2 - i).
        var nodes = new List<int[]> { new[] { -1, -1 } };
        var dataIndex = new List<Dictionary<string, object>>();
        foreach (var (address, prefix, data) in _networks)
        {
            var node = 0;
            for (var bit = 0; bit < prefix; bit++)
            {
                var side = (address[bit >> 3] >> (7 - (bit & 7))) & 1;
                if (bit == prefix - 1)
                {
                    nodes[node][side] = -2 - dataIndex.Count;
                    dataIndex.Add(data);
                    break;
                }

                if (nodes[node][side] < 0)
                {
                    nodes[node][side] = nodes.Count;
                    nodes.Add([-1, -1]);
                }

                node = nodes[node][side];
            }
        }

        var dataSection = new MemoryStream();
        var offsets = new List<int>();
        foreach (var data in dataIndex)
        {
            offsets.Add((int)dataSection.Length);
            Encode(dataSection, data);
        }

        var nodeCount = nodes.Count;
        var output = new MemoryStream();
        foreach (var node in nodes)
        {
            foreach (var child in node)
            {
                var record = child == -1 ? nodeCount : child >= 0 ? child : nodeCount + 16 + offsets[-2 - child];
                output.WriteByte((byte)(record >> 16));
                output.WriteByte((byte)(record >> 8));
                output.WriteByte((byte)record);
            }
        }

        output.Write(new byte[16]);
        dataSection.Position = 0;
        dataSection.CopyTo(output);
        output.Write([0xAB, 0xCD, 0xEF]);
        output.Write("MaxMind.com"u8);
        Encode(output, new Dictionary<string, object>
        {
            ["node_count"] = (uint)nodeCount,
            ["record_size"] = (ushort)24,
            ["ip_version"] = (ushort)6,
            ["database_type"] = databaseType,
            ["languages"] = new List<object> { "en" },
            ["binary_format_major_version"] = (ushort)2,
            ["binary_format_minor_version"] = (ushort)0,
            ["build_epoch"] = (ulong)buildTime.ToUnixTimeSeconds(),
            ["description"] = new Dictionary<string, object> { ["en"] = "IncidentFunctions test database" },
        });
        return output.ToArray();
    }

    private static void Encode(Stream s, object value)
    {
        switch (value)
        {
            case string text:
                var bytes = Encoding.UTF8.GetBytes(text);
                Control(s, 2, bytes.Length);
                s.Write(bytes);
                break;
            case ushort u16:
                Unsigned(s, 5, u16);
                break;
            case uint u32:
                Unsigned(s, 6, u32);
                break;
            case ulong u64:
                Unsigned(s, 9, u64);
                break;
            case bool flag:
                Control(s, 14, flag ? 1 : 0);
                break;
            case Dictionary<string, object> map:
                Control(s, 7, map.Count);
                foreach (var (k, v) in map)
                {
                    Encode(s, k);
                    Encode(s, v);
                }

                break;
            case List<object> list:
                Control(s, 11, list.Count);
                foreach (var item in list) Encode(s, item);
                break;
            default:
                throw new NotSupportedException(value.GetType().Name);
        }
    }

    private static void Unsigned(Stream s, int type, ulong value)
    {
        Span<byte> be = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(be, value);
        var skip = 0;
        while (skip < 8 && be[skip] == 0) skip++;
        Control(s, type, 8 - skip);
        s.Write(be[skip..]);
    }

    private static void Control(Stream s, int type, int size)
    {
        var extended = type > 7;
        var sizeBits = size < 29 ? size : size < 285 ? 29 : 30;
        s.WriteByte((byte)(((extended ? 0 : type) << 5) | sizeBits));
        if (extended) s.WriteByte((byte)(type - 7));
        if (sizeBits == 29) s.WriteByte((byte)(size - 29));
        else if (sizeBits == 30)
        {
            s.WriteByte((byte)((size - 285) >> 8));
            s.WriteByte((byte)(size - 285));
        }
    }
}
