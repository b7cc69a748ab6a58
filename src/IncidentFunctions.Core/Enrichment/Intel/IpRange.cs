using System.Globalization;

namespace IncidentFunctions.Enrichment.Intel;

/// <summary>An inclusive range of addresses on the <see cref="IpNumber"/> line.</summary>
public readonly record struct IpRange(UInt128 Start, UInt128 End)
{
    public bool Contains(UInt128 address) => address >= Start && address <= End;

    public static IpRange OneAddress(UInt128 address) => new(address, address);

    /// <summary>
    /// Parses an address, a CIDR prefix (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>; host bits are cleared, as lists
    /// sometimes write <c>31.13.0.77/16</c>) or a dash range (<c>1.2.3.4-1.2.3.9</c>).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpRange range)
    {
        range = default;
        text = text.Trim();
        if (text.IsEmpty) return false;

        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (!IpNumber.TryParse(text[..slash], out var address)) return false;
            if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)) return false;
            var isV4 = text[..slash].IndexOf(':') < 0;
            if (isV4)
            {
                if (prefix > 32) return false;
                prefix += 96;
            }
            else if (prefix > 128)
            {
                return false;
            }

            var host = IpNumber.HostMask(prefix);
            var start = address & ~host;
            range = new IpRange(start, start | host);
            return true;
        }

        var dash = text.IndexOf('-');
        if (dash > 0)
        {
            if (!IpNumber.TryParse(text[..dash], out var first) || !IpNumber.TryParse(text[(dash + 1)..], out var last) || last < first) return false;
            if (IpNumber.IsV4(first) != IpNumber.IsV4(last)) return false;
            range = new IpRange(first, last);
            return true;
        }

        if (!IpNumber.TryParse(text, out var single)) return false;
        range = OneAddress(single);
        return true;
    }

    /// <summary>
    /// Splits off the IPv4 block from a range that only partly covers it: an IPv6 list entry such as <c>::/8</c> must not
    /// swallow every IPv4 address, which live at <c>::ffff:0:0/96</c> on this line. Returns one or two ranges.
    /// </summary>
    public int ClipMapped(Span<IpRange> parts)
    {
        var inside = Start >= IpNumber.V4First && End <= IpNumber.V4Last;
        var disjoint = End < IpNumber.V4First || Start > IpNumber.V4Last;
        if (inside || disjoint)
        {
            parts[0] = this;
            return 1;
        }

        var count = 0;
        if (Start < IpNumber.V4First) parts[count++] = new IpRange(Start, IpNumber.V4First - 1);
        if (End > IpNumber.V4Last) parts[count++] = new IpRange(IpNumber.V4Last + 1, End);
        return count;
    }

    public override string ToString() => Start == End ? IpNumber.Format(Start) : $"{IpNumber.Format(Start)}-{IpNumber.Format(End)}";
}
