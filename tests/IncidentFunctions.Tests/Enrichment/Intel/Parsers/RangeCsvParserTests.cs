using System.Text;
using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class RangeCsvParserTests
{
    private static IntelSourceContent ParseText(IntelSourceType type, string text)
        => IntelParsers.Parse(type, Encoding.UTF8.GetBytes(text), new IntelParseContext(Observed));

    [Fact]
    public void Parse_IpLocationDbAsnCsv_HandlesQuotesUnsortedAndNestedRangesAndIpv6()
    {
        var content = Parse(IntelSourceType.IpLocationDbCsv, "ip-location-db-asn.csv");

        Assert.Equal(new AsnValue(14618, "Amazon.com, Inc."), At(content.Asn, "3.81.0.1"));
        Assert.Equal(new AsnValue(33491, "Comcast Cable Communications, LLC \"West\""), At(content.Asn, "73.8.1.1"));
        Assert.Equal(new AsnValue(7922, "Comcast Cable Communications, LLC"), At(content.Asn, "73.9.1.1"));
        Assert.Equal(new AsnValue(24940, "Hetzner Online GmbH"), At(content.Asn, "2a01:4f8::1"));
        Assert.Null(content.Geo);
    }

    [Fact]
    public void Parse_IpLocationDbNumericAndCountryCsv_AreRead()
    {
        var numeric = Parse(IntelSourceType.IpLocationDbCsv, "ip-location-db-asn-num.csv");
        var country = Parse(IntelSourceType.IpLocationDbCsv, "ip-location-db-country.csv");

        Assert.Equal(24940, At(numeric.Asn, "5.9.1.1").Asn);
        Assert.Equal(13335, At(numeric.Asn, "1.0.0.1").Asn);
        Assert.Equal(new GeoValue("GB", "United Kingdom", null, null), At(country.Geo, "86.1.2.3"));
        Assert.Equal("JP", At(country.Geo, "2001:200::1").CountryCode);
    }

    [Fact]
    public void Parse_IpToAsnTsvPlainAndGzip_SkipsUnroutedSpace()
    {
        var plain = Parse(IntelSourceType.IpToAsnTsv, "ip2asn-v4.tsv");
        var gzip = Parse(IntelSourceType.IpToAsnTsv, "ip2asn-v4.tsv.gz");
        var v6 = Parse(IntelSourceType.IpToAsnTsv, "ip2asn-v6.tsv");

        Assert.Equal(3, plain.Entries);
        Assert.Equal(plain.Entries, gzip.Entries);
        Assert.Equal(new AsnValue(48090, "TECHOFF-SRV"), At(gzip.Asn, "45.148.10.77"));
        Assert.Equal(new AsnValue(24940, "HETZNER-AS"), At(v6.Asn, "2a01:4f8:c0c::1"));
    }

    [Fact]
    public void Parse_IpToAsnLineWithEmptyDescription_IsReadWithoutOrganisation()
    {
        var content = ParseText(IntelSourceType.IpToAsnTsv, "1.0.0.0\t1.0.0.255\t13335\tUS\t\n5.9.0.0\t5.9.255.255\t24940\tDE\tHETZNER-AS\n");

        Assert.Equal(0, content.InvalidEntries);
        Assert.Equal(new AsnValue(13335, null), At(content.Asn, "1.0.0.1"));
        Assert.Equal(new AsnValue(24940, "HETZNER-AS"), At(content.Asn, "5.9.0.1"));
    }
}
