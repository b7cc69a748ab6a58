using System.Text;
using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel;

public sealed class IntelParsersTests
{
    private static T At<T>(RangeTable<T>? table, string ip)
        where T : notnull
    {
        Assert.NotNull(table);
        var index = SegmentBuilder.SmallestWins(table.Ranges);
        var id = index.Find(Ip(ip));
        Assert.True(id >= 0, $"{ip} is in no range");
        return table.Values[id];
    }

    private static bool Listed(IntelSourceContent content, string ip) => SegmentBuilder.SmallestWins(content.Listed!).Find(Ip(ip)) >= 0;

    private static IntelSourceContent ParseText(IntelSourceType type, string text)
        => IntelParsers.Parse(type, Encoding.UTF8.GetBytes(text), new IntelParseContext(Observed));

    [Fact]
    public void Parse_AwsIpRanges_SpecificServiceBeatsAmazonAndSmallestPrefixWins()
    {
        var content = Parse(IntelSourceType.AwsIpRanges, "aws-ip-ranges.json");

        Assert.Equal(new CloudValue("AWS", "us-east-1", "EC2"), At(content.Cloud, "3.80.0.1"));
        Assert.Equal(new CloudValue("AWS", null, "AMAZON"), At(content.Cloud, "3.1.0.1"));
        Assert.Equal(new CloudValue("AWS", "us-east-1", "EC2"), At(content.Cloud, "2600:1f18::1"));
        Assert.Equal(new CloudValue("AWS", null, "AMAZON"), At(content.Cloud, "2600:1f00::1"));
        Assert.Equal("1763676245", content.DatasetVersion);
        Assert.Equal(new DateTimeOffset(2025, 11, 20, 22, 4, 5, TimeSpan.Zero), content.DatasetDate);
        Assert.Equal(0, content.InvalidEntries);
    }

    [Fact]
    public void Parse_TruncatedJson_IsRefusedAsAFormatError()
    {
        var error = Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.AwsIpRanges, "aws-ip-ranges-truncated.json"));
        Assert.Contains("JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonOfAnotherProvider_IsRefused()
    {
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.AwsIpRanges, "azure-servicetags.json"));
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.GoogleCloudJson, "oracle-public_ip_ranges.json"));
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.OracleCloudJson, "aws-ip-ranges.json"));
    }

    [Fact]
    public void Parse_AzureServiceTags_ServiceTagBeatsRegionBeatsWholeCloud()
    {
        var content = Parse(IntelSourceType.AzureServiceTags, "azure-servicetags.json");

        Assert.Equal(new CloudValue("Azure", null, "AzureFrontDoor"), At(content.Cloud, "20.50.120.9"));
        Assert.Equal(new CloudValue("Azure", "westeurope", "AzureCloud"), At(content.Cloud, "20.50.1.1"));
        Assert.Equal(new CloudValue("Azure", null, "AzureCloud"), At(content.Cloud, "20.33.0.1"));
        Assert.Equal(new CloudValue("Azure", null, "AzureFrontDoor"), At(content.Cloud, "2603:1020:200:4::1"));
        Assert.Equal("Public 338", content.DatasetVersion);
    }

    [Fact]
    public void Parse_GoogleCloudJson_ReadsIpv4AndIpv6PrefixesWithScope()
    {
        var content = Parse(IntelSourceType.GoogleCloudJson, "google-cloud.json");

        Assert.Equal(new CloudValue("Google Cloud", "us-central1", "Google Cloud"), At(content.Cloud, "34.67.255.255"));
        Assert.Equal(new CloudValue("Google Cloud", "us-central1", "Google Cloud"), At(content.Cloud, "2600:1900:4000::5"));
        Assert.Equal(new CloudValue("Google Cloud", "africa-south1", "Google Cloud"), At(content.Cloud, "34.1.208.1"));
        Assert.Equal(new DateTimeOffset(2025, 11, 20, 15, 6, 40, TimeSpan.Zero), content.DatasetDate);
    }

    [Fact]
    public void Parse_OracleJson_ReadsRegionsAndTags()
    {
        var content = Parse(IntelSourceType.OracleCloudJson, "oracle-public_ip_ranges.json");

        Assert.Equal(new CloudValue("Oracle", "us-ashburn-1", "OCI"), At(content.Cloud, "150.136.10.10"));
        Assert.Equal(new CloudValue("Oracle", "us-ashburn-1", "OSN"), At(content.Cloud, "129.213.0.200"));
        Assert.Equal(new CloudValue("Oracle", "eu-frankfurt-1", "OCI"), At(content.Cloud, "130.61.0.1"));
        Assert.Equal(new CloudValue("Oracle", "us-ashburn-1", "OCI"), At(content.Cloud, "2603:c020::1"));
    }

    [Fact]
    public void Parse_CloudflareLists_NameTheProvider()
    {
        var v4 = Parse(IntelSourceType.CloudflareIps, "cloudflare-ips-v4.txt");
        var v6 = Parse(IntelSourceType.CloudflareIps, "cloudflare-ips-v6.txt");

        Assert.Equal(15, v4.Entries);
        Assert.Equal(7, v6.Entries);
        Assert.Equal("Cloudflare", At(v4.Cloud, "104.16.1.1").Provider);
        Assert.Equal("Cloudflare", At(v6.Cloud, "2606:4700::6810:84e5").Provider);
    }

    [Fact]
    public void Parse_Geofeed_ReadsCityAsTheSiteAndQuotedPrefixes()
    {
        var content = Parse(IntelSourceType.CloudGeofeed, "digitalocean-geofeed.csv");

        Assert.Equal(new CloudValue("DigitalOcean", "Frankfurt", null), At(content.Cloud, "159.89.130.1"));
        Assert.Equal(new CloudValue("DigitalOcean", "Bangalore", null), At(content.Cloud, "134.209.1.1"));
        Assert.Equal(new CloudValue("DigitalOcean", "Frankfurt", null), At(content.Cloud, "2a03:b0c0:3::1"));
        Assert.Equal(5, content.Entries);
    }

    [Fact]
    public void Parse_Netset_SkipsCommentsAndClearsHostBits()
    {
        var content = Parse(IntelSourceType.IpList, "firehol_level1.netset");

        Assert.Equal(9, content.Entries);
        Assert.True(Listed(content, "10.20.30.40"));
        Assert.True(Listed(content, "31.13.200.1"));
        Assert.True(Listed(content, "5.188.10.179"));
        Assert.False(Listed(content, "5.188.10.180"));
        Assert.False(Listed(content, "8.8.8.8"));
    }

    [Fact]
    public void Parse_IpsumAndPlainLists_TakeTheFirstTokenAndCountGarbage()
    {
        var ipsum = Parse(IntelSourceType.IpList, "ipsum.txt");
        var blocklist = Parse(IntelSourceType.IpList, "blocklist-de-all.txt");

        Assert.Equal(3, ipsum.Entries);
        Assert.True(Listed(ipsum, "167.94.138.35"));
        Assert.Equal(4, blocklist.Entries);
        Assert.Equal(1, blocklist.InvalidEntries);
        Assert.True(Listed(blocklist, "2001:41d0:302:2200::1a2"));
    }

    [Fact]
    public void Parse_HtmlErrorPageAsAList_IsRefused()
    {
        var error = Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.IpList, "error-page.html"));
        Assert.Contains("unreadable", error.Message, StringComparison.Ordinal);
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.TorBulkExitList, "error-page.html"));
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.SpamhausDropJson, "error-page.html"));
    }

    public static TheoryData<IntelSourceType> EveryFormat => new(Enum.GetValues<IntelSourceType>());

    [Theory]
    [MemberData(nameof(EveryFormat))]
    public void Parse_HtmlErrorPageInAnyFormat_IsRefusedSayingItIsNotTheFormat(IntelSourceType type)
    {
        var error = Assert.Throws<IntelFormatException>(() => Parse(type, "error-page.html"));

        Assert.Contains("not a", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_MostlyGarbageLines_IsRefused()
    {
        var text = "1.2.3.4\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"garbage line {i}\n"));

        Assert.Throws<IntelFormatException>(() => ParseText(IntelSourceType.IpList, text));
        Assert.Throws<IntelFormatException>(() => ParseText(IntelSourceType.CloudflareIps, text));
        Assert.Throws<IntelFormatException>(() => ParseText(IntelSourceType.IpLocationDbCsv, text));
    }

    [Fact]
    public void Parse_SpamhausDrop_ReadsCidrsMetadataAndEscapedSlashes()
    {
        var v4 = Parse(IntelSourceType.SpamhausDropJson, "drop_v4.json");
        var v6 = Parse(IntelSourceType.SpamhausDropJson, "drop_v6.json");
        var asns = Parse(IntelSourceType.SpamhausDropJson, "asndrop.json");

        Assert.Equal(3, v4.Entries);
        Assert.True(Listed(v4, "193.142.146.200"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1763610602), v4.DatasetDate);
        Assert.True(Listed(v6, "2a06:e487::1"));
        Assert.False(Listed(v6, "2a06:e488::1"));
        Assert.Equal(new HashSet<long> { 48090, 213438 }, asns.ListedAsns);
    }

    [Fact]
    public void Parse_TorBulkList_ListsEveryAddressAtTheObservedTime()
    {
        var content = Parse(IntelSourceType.TorBulkExitList, "torbulkexitlist.txt");

        Assert.Equal(5, content.Tor!.Count);
        Assert.Contains(content.Tor, t => t.Address == Ip("2a0b:f4c2::20") && t.FirstListed == Observed && t.LastListed == Observed && t.Current);
    }

    [Fact]
    public void Parse_TorExitAddresses_UsesLastStatusAndTestTimes()
    {
        var content = Parse(IntelSourceType.TorExitAddresses, "tor-exit-addresses.txt");

        Assert.Equal(4, content.Tor!.Count);
        var relay = content.Tor.Single(t => t.Address == Ip("192.42.116.16"));
        Assert.Equal(new DateTimeOffset(2025, 11, 19, 7, 0, 0, TimeSpan.Zero), relay.FirstListed);
        Assert.Equal(new DateTimeOffset(2025, 11, 19, 7, 30, 6, TimeSpan.Zero), relay.LastListed);
        Assert.Contains(content.Tor, t => t.Address == Ip("199.249.230.88"));
        Assert.Equal(new DateTimeOffset(2025, 11, 20, 12, 2, 0, TimeSpan.Zero), content.DatasetDate);
    }

    [Fact]
    public void Parse_TorExitAddressesWithBadTimes_CountsThemUnreadable()
    {
        var content = ParseText(IntelSourceType.TorExitAddresses, "ExitNode AB\nPublished x\nLastStatus yesterday\nExitAddress 1.2.3.4 2025-11-20 10:00:00\nExitAddress 1.2.3.5 soon\n");

        Assert.Equal(2, content.InvalidEntries);
        Assert.Single(content.Tor!);
    }

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
    public void Parse_CorruptGzip_IsRefused()
    {
        var bytes = Sample("ip2asn-v4.tsv.gz");
        Assert.Throws<IntelFormatException>(() => IntelParsers.Parse(IntelSourceType.IpToAsnTsv, bytes[..(bytes.Length / 2)], new IntelParseContext(Observed)));
    }

    [Fact]
    public void Parse_GzipUnpackingBeyondMaxBytes_IsRefused()
    {
        var bytes = Sample("ip2asn-v4.tsv.gz");

        var error = Assert.Throws<IntelFormatException>(() => IntelParsers.Parse(IntelSourceType.IpToAsnTsv, bytes, new IntelParseContext(Observed, MaxBytes: 64)));
        Assert.Contains("more than 64 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyContent_HasNoEntries()
    {
        foreach (var type in new[] { IntelSourceType.IpList, IntelSourceType.TorBulkExitList, IntelSourceType.CloudflareIps, IntelSourceType.IpLocationDbCsv })
        {
            Assert.Equal(0, ParseText(type, "# only a comment\n\n").Entries);
        }
    }
}
