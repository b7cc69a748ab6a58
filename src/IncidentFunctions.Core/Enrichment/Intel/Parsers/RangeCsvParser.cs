using System.Globalization;

namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>
/// Start–end range tables: ip-location-db's ASN and country CSVs (addresses or decimal numbers) and iptoasn's TSV.
/// </summary>
internal static class RangeCsvParser
{
    /// <summary>ip-location-db: <c>start,end,country</c> or <c>start,end,asn,organisation</c>.</summary>
    public static IntelSourceContent ParseIpLocationDb(string text)
    {
        var result = new IntelSourceContent();
        return IntelLines.Read(text, result, "ip-location-db range CSV", LineComments.WholeLine, line =>
        {
            Span<Range> fields = stackalloc Range[8];
            var count = Csv.Split(line, ',', fields);
            if (count < 3 || !TryRange(line[fields[0]], line[fields[1]], out var range)) return LineResult.Unreadable;
            if (count == 3)
            {
                var cc = Csv.Unquote(line[fields[2]]).Trim();
                if (cc.Length != 2 || !char.IsAsciiLetter(cc[0]) || !char.IsAsciiLetter(cc[1])) return LineResult.Unreadable;
                var code = cc.ToString().ToUpperInvariant();
                (result.Geo ??= new RangeTable<GeoValue>(4096)).Add(range, new GeoValue(code, CountryNames.NameOf(code), null, null));
                return LineResult.Read;
            }

            if (!long.TryParse(Csv.Unquote(line[fields[2]]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var asn)) return LineResult.Unreadable;
            var org = Csv.Unquote(line[fields[3]]).Trim();
            (result.Asn ??= new RangeTable<AsnValue>(4096)).Add(range, new AsnValue(asn, org.IsEmpty ? null : org.ToString()));
            return LineResult.Read;
        });
    }

    /// <summary>iptoasn: <c>start TAB end TAB asn TAB country TAB description</c>; AS 0 marks space that is not routed.</summary>
    public static IntelSourceContent ParseIpToAsn(string text)
    {
        var asns = new RangeTable<AsnValue>(4096);
        // Untrimmed: the description is the last field and may be empty, i.e. the line may end with a tab.
        return IntelLines.Read(text, new IntelSourceContent { Asn = asns }, "iptoasn TSV", LineComments.WholeLine, line =>
        {
            Span<Range> fields = stackalloc Range[6];
            var count = line.Split(fields, '\t');
            if (count < 5 || !TryRange(line[fields[0]], line[fields[1]], out var range)
                || !long.TryParse(line[fields[2]], NumberStyles.None, CultureInfo.InvariantCulture, out var asn))
            {
                return LineResult.Unreadable;
            }

            // AS 0 marks space that is not routed: no organisation to name.
            if (asn == 0) return LineResult.Read;
            var org = line[fields[4]].Trim();
            asns.Add(range, new AsnValue(asn, org.IsEmpty || org.SequenceEqual("Not routed") ? null : org.ToString()));
            return LineResult.Read;
        }, trim: false);
    }

    /// <summary>A range from two addresses, or two decimal numbers (ip-location-db's <c>-num</c> files).</summary>
    private static bool TryRange(ReadOnlySpan<char> startText, ReadOnlySpan<char> endText, out IpRange range)
    {
        range = default;
        startText = Csv.Unquote(startText).Trim();
        endText = Csv.Unquote(endText).Trim();
        UInt128 start, end;
        if (IpNumber.TryParse(startText, out start) && IpNumber.TryParse(endText, out end))
        {
            if (IpNumber.IsV4(start) != IpNumber.IsV4(end)) return false;
        }
        else if (UInt128.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out start)
                 && UInt128.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out end))
        {
            // Numbers up to 2^32-1 are IPv4 (IPv6 there would be the deprecated ::a.b.c.d space).
            if (end <= uint.MaxValue)
            {
                start = IpNumber.FromV4((uint)start);
                end = IpNumber.FromV4((uint)end);
            }
        }
        else
        {
            return false;
        }

        if (end < start) return false;
        range = new IpRange(start, end);
        return true;
    }
}
