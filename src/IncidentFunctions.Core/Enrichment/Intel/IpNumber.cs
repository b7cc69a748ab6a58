using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IncidentFunctions.Enrichment.Intel;

/// <summary>
/// IPv4 and IPv6 addresses on one 128-bit number line. IPv4 sits where IPv6 maps it (<c>::ffff:a.b.c.d</c>), so an
/// IPv4 address and its mapped IPv6 form are the same number and one index answers both families.
/// </summary>
public static class IpNumber
{
    /// <summary><c>::ffff:0.0.0.0</c>, the first IPv4 address.</summary>
    public static readonly UInt128 V4First = (UInt128)0xFFFF << 32;

    /// <summary><c>::ffff:255.255.255.255</c>, the last IPv4 address.</summary>
    public static readonly UInt128 V4Last = V4First | uint.MaxValue;

    public static bool IsV4(UInt128 value) => (value >> 32) == 0xFFFF;

    public static UInt128 FromV4(uint value) => V4First | value;

    public static UInt128 From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>Parses a plain address (no prefix, no port). IPv4 must be four decimal octets; IPv6 scope ids are refused.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out UInt128 value)
    {
        text = text.Trim();
        if (TryParseV4(text, out var v4))
        {
            value = FromV4(v4);
            return true;
        }

        value = default;
        if (text.IndexOf(':') < 0 || text.IndexOf('%') >= 0 || !IPAddress.TryParse(text, out var address)) return false;
        value = From(address);
        return true;
    }

    /// <summary>
    /// Strict dotted-quad parse: what address lists contain. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> also
    /// accepts inet_aton forms ("10.1", "0x7f.1") that no list means.
    /// </summary>
    public static bool TryParseV4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var octets = 0;
        var i = 0;
        while (octets < 4)
        {
            var start = i;
            uint octet = 0;
            while (i < text.Length && i - start < 3 && char.IsAsciiDigit(text[i]))
            {
                octet = octet * 10 + (uint)(text[i] - '0');
                i++;
            }

            if (i == start || octet > 255) return false;
            value = (value << 8) | octet;
            octets++;
            if (octets < 4)
            {
                if (i >= text.Length || text[i] != '.') return false;
                i++;
            }
        }

        return i == text.Length;
    }

    public static IPAddress ToAddress(UInt128 value)
    {
        if (IsV4(value)) return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)value));
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static string Format(UInt128 value) => ToAddress(value).ToString();

    /// <summary>The mask of host bits for a prefix of <paramref name="prefixLength"/> bits in a 128-bit address.</summary>
    public static UInt128 HostMask(int prefixLength) => prefixLength >= 128 ? UInt128.Zero : UInt128.MaxValue >> prefixLength;
}
