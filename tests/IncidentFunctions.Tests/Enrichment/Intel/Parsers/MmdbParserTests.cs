using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class MmdbParserTests
{
    private static readonly DateTimeOffset Built = new(2025, 11, 18, 6, 30, 0, TimeSpan.Zero);

    private static IntelSourceContent Parse(byte[] mmdb) => IntelParsers.Parse(IntelSourceType.Mmdb, mmdb, new IntelParseContext(Observed));

    private static Dictionary<string, object> Names(string en) => new() { ["names"] = new Dictionary<string, object> { ["en"] = en, ["de"] = en + " (de)" } };

    [Fact]
    public void Parse_IpLocationDbCountryMmdbFromNpm_AgreesWithTheMaxMindReaderForIpv4AndIpv6()
    {
        var path = NpmFile("@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb");
        var content = Parse(File.ReadAllBytes(path));
        var index = SegmentBuilder.SmallestWins(content.Geo!.Ranges);
        using var reader = new MaxMind.Db.Reader(path);
        var random = new Random(42);
        var checkedAddresses = 0;

        Assert.True(content.Geo.Count > 100_000, $"{content.Geo.Count} networks");
        for (var i = 0; i < 4000; i++)
        {
            // Public IPv4, and IPv6 in 2000::/3 outside 6to4 and Teredo (which the database aliases to IPv4).
            var bytes = new byte[i % 2 == 0 ? 4 : 16];
            random.NextBytes(bytes);
            if (bytes.Length == 16) bytes[0] = (byte)(0x20 | (bytes[0] & 0x1F));
            var address = new System.Net.IPAddress(bytes);
            var number = IpNumber.From(address);
            if (BogonRegistry.ReasonFor(number) is not null) continue;
            var expected = reader.Find<Dictionary<string, object>>(address)?["country_code"] as string;
            var id = index.Find(number);
            Assert.Equal(expected, id < 0 ? null : content.Geo.Values[id].CountryCode);
            checkedAddresses++;
        }

        Assert.True(checkedAddresses > 3000);
        Assert.Equal("United States", At(content.Geo, "73.1.2.3").CountryName);
        Assert.Null(content.Asn);
        Assert.StartsWith("country ipvAll", content.DatasetVersion, StringComparison.Ordinal);
        Assert.True(content.DatasetDate > new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Parse_TruncatedMmdb_IsRefused()
    {
        var bytes = File.ReadAllBytes(NpmFile("@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv4.mmdb"));

        Assert.Throws<IntelFormatException>(() => Parse(bytes[..(bytes.Length / 3)]));
        Assert.Throws<IntelFormatException>(() => Parse(Sample("error-page.html")));
    }

    [Fact]
    public void Parse_GeoIp2CitySchema_ReadsCountrySubdivisionAndCity()
    {
        var mmdb = new MmdbTestWriter("GeoIP2-City")
            .Add("81.2.69.142/31", new Dictionary<string, object>
            {
                ["country"] = new Dictionary<string, object> { ["iso_code"] = "GB", ["names"] = new Dictionary<string, object> { ["en"] = "United Kingdom" } },
                ["subdivisions"] = new List<object> { Names("England") },
                ["city"] = Names("London"),
            })
            .Add("2a02:ec0::/29", new Dictionary<string, object>
            {
                ["registered_country"] = new Dictionary<string, object> { ["iso_code"] = "se" },
            })
            .Build(Built);

        var content = Parse(mmdb);

        Assert.Equal(new GeoValue("GB", "United Kingdom", "England", "London"), At(content.Geo, "81.2.69.143"));
        Assert.Equal("SE", At(content.Geo, "2a02:ec7::1").CountryCode);
        Assert.Equal("Sweden", At(content.Geo, "2a02:ec7::1").CountryName);
        Assert.Equal(-1, SegmentBuilder.SmallestWins(content.Geo!.Ranges).Find(Ip("81.2.69.144")));
        Assert.Equal("GeoIP2-City 2025-11-18T06:30:00Z", content.DatasetVersion);
        Assert.Equal(Built, content.DatasetDate);
    }

    [Fact]
    public void Parse_AsnSchema_ReadsNumberAndOrganisationAndTheNullOrganisationCase()
    {
        var mmdb = new MmdbTestWriter("GeoLite2-ASN")
            .Add("1.128.0.0/11", new Dictionary<string, object> { ["autonomous_system_number"] = 1221u, ["autonomous_system_organization"] = "Telstra Pty Ltd" })
            .Add("12.81.92.0/22", new Dictionary<string, object> { ["autonomous_system_number"] = 7018u })
            .Build(Built);

        var content = Parse(mmdb);

        Assert.Equal(new AsnValue(1221, "Telstra Pty Ltd"), At(content.Asn, "1.159.255.255"));
        Assert.Equal(new AsnValue(7018, null), At(content.Asn, "12.81.95.1"));
        Assert.Null(content.Geo);
    }

    [Fact]
    public void Parse_AnonymousIpSchema_ReadsTheFlags()
    {
        var mmdb = new MmdbTestWriter("GeoIP2-Anonymous-IP")
            .Add("65.0.0.0/13", new Dictionary<string, object> { ["is_anonymous"] = true, ["is_tor_exit_node"] = true })
            .Add("186.30.236.0/24", new Dictionary<string, object> { ["is_anonymous"] = true, ["is_public_proxy"] = true })
            .Add("81.2.69.0/24", new Dictionary<string, object> { ["is_anonymous"] = true, ["is_anonymous_vpn"] = true, ["is_hosting_provider"] = true, ["is_residential_proxy"] = true })
            .Build(Built);

        var content = Parse(mmdb);

        Assert.Equal(AnonymityTraits.Anonymous | AnonymityTraits.TorExit, At(content.Anonymity, "65.7.1.1"));
        Assert.Equal(AnonymityTraits.Anonymous | AnonymityTraits.PublicProxy, At(content.Anonymity, "186.30.236.9"));
        Assert.Equal(AnonymityTraits.Anonymous | AnonymityTraits.Vpn | AnonymityTraits.HostingProvider | AnonymityTraits.ResidentialProxy, At(content.Anonymity, "81.2.69.1"));
    }

    [Fact]
    public void Parse_MaxMindTarGzDownload_ReadsTheDatabaseInside()
    {
        var mmdb = new MmdbTestWriter("GeoLite2-ASN")
            .Add("1.128.0.0/11", new Dictionary<string, object> { ["autonomous_system_number"] = 1221u, ["autonomous_system_organization"] = "Telstra Pty Ltd" })
            .Build(Built);
        using var archive = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(archive, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "GeoLite2-ASN_20251118/COPYRIGHT.txt") { DataStream = new MemoryStream("Database and Contents Copyright (c) MaxMind, Inc."u8.ToArray()) });
            tar.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "GeoLite2-ASN_20251118/GeoLite2-ASN.mmdb") { DataStream = new MemoryStream(mmdb) });
        }

        var content = Parse(archive.ToArray());

        Assert.Equal(new AsnValue(1221, "Telstra Pty Ltd"), At(content.Asn, "1.130.0.1"));
    }

    [Fact]
    public void Parse_TarArchiveWithoutADatabase_IsRefused()
    {
        using var archive = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(archive, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "GeoLite2-ASN_20251118/COPYRIGHT.txt") { DataStream = new MemoryStream("Database and Contents Copyright (c) MaxMind, Inc."u8.ToArray()) });
        }

        var error = Assert.Throws<IntelFormatException>(() => Parse(archive.ToArray()));
        Assert.Contains("no .mmdb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IpinfoLiteStyleFlatRecord_ReadsCountryAndAsn()
    {
        var mmdb = new MmdbTestWriter("ipinfo lite.mmdb")
            .Add("104.16.0.0/13", new Dictionary<string, object> { ["country_code"] = "US", ["country"] = "United States", ["asn"] = "AS13335", ["as_name"] = "Cloudflare, Inc." })
            .Build(Built);

        var content = Parse(mmdb);

        Assert.Equal(new GeoValue("US", "United States", null, null), At(content.Geo, "104.17.1.1"));
        Assert.Equal(new AsnValue(13335, "Cloudflare, Inc."), At(content.Asn, "104.17.1.1"));
    }
}
