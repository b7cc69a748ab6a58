using System.Text;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Unit)]
public sealed class SourceProfilerTests
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromHours(2);

    private static IntelIndex AllSamples() => Index(
        Sample("country", IntelSourceType.IpLocationDbCsv, "ip-location-db-country.csv"),
        Sample("asn", IntelSourceType.IpLocationDbCsv, "ip-location-db-asn.csv"),
        Sample("iptoasn", IntelSourceType.IpToAsnTsv, "ip2asn-v4.tsv"),
        Sample("aws", IntelSourceType.AwsIpRanges, "aws-ip-ranges.json"),
        Sample("azure", IntelSourceType.AzureServiceTags, "azure-servicetags.json"),
        Sample("firehol_level1", IntelSourceType.IpList, "firehol_level1.netset", IntelListCategory.Malicious),
        Sample("spamhaus-drop", IntelSourceType.SpamhausDropJson, "drop_v4.json", IntelListCategory.Malicious),
        Sample("spamhaus-asndrop", IntelSourceType.SpamhausDropJson, "asndrop.json", IntelListCategory.Malicious),
        Sample("tor-exit-addresses", IntelSourceType.TorExitAddresses, "tor-exit-addresses.txt"));

    private static SourceProfile Profile(IntelIndex index, string ip) => SourceProfiler.Profile(ip, index, Observed).Profile;

    [Theory]
    [InlineData("10.20.30.40", "private")]
    [InlineData("192.168.10.7", "private")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("100.64.1.1", "shared address space")]
    [InlineData("fc00::1", "not global unicast")]
    [InlineData("2001:db8::5", "documentation")]
    public void Profile_BogonListedByAReputationList_IsPrivateAndNeverMalicious(string ip, string reason)
    {
        var profile = Profile(AllSamples(), ip);

        Assert.Equal(SourceType.Private, profile.SourceType);
        Assert.False(profile.IsMalicious);
        Assert.Empty(profile.MaliciousLists);
        Assert.Null(profile.CountryCode);
        var provenance = Assert.Single(profile.Provenance);
        Assert.Equal((SourceProfiler.SourceTypeField, BogonRegistry.SourceName, reason), (provenance.Field, provenance.Source, provenance.Method));
    }

    [Fact]
    public void Profile_AddressOnSeveralLists_NamesEveryListWithProvenance()
    {
        var profile = Profile(AllSamples(), "45.148.10.5");

        Assert.True(profile.IsMalicious);
        Assert.Equal(["firehol_level1", "spamhaus-drop", "spamhaus-asndrop"], profile.MaliciousLists);
        Assert.Equal(profile.MaliciousLists, profile.Provenance.Where(p => p.Field == "maliciousLists").Select(p => p.Source));
        var drop = profile.Provenance.Single(p => p.Source == "spamhaus-drop");
        Assert.Equal("1763610602", drop.DatasetVersion);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1763610602), drop.DatasetDate);
        Assert.Equal(48090, profile.Asn);
        Assert.Equal(SourceType.Datacenter, profile.SourceType);
    }

    [Fact]
    public void Profile_CloudRangeList_OutranksTheAsnAndNamesRegionAndService()
    {
        var profile = Profile(AllSamples(), "3.81.1.1");

        Assert.Equal(SourceType.CloudPlatform, profile.SourceType);
        Assert.Equal(("AWS", "us-east-1", "EC2"), (profile.CloudProvider, profile.CloudRegion, profile.CloudService));
        Assert.Equal("aws", profile.Provenance.Single(p => p.Field == SourceProfiler.SourceTypeField).Source);
        Assert.Equal(14618, profile.Asn);
        Assert.Equal("asn", profile.Provenance.Single(p => p.Field == "asn").Source);
    }

    [Fact]
    public void Profile_OnlyAsnData_DetectsCloudAndDatacenterFromTheOrganisation()
    {
        var index = Index(Sample("asn", IntelSourceType.IpLocationDbCsv, "ip-location-db-asn.csv"));

        var amazon = Profile(index, "3.81.1.1");
        var hetzner = Profile(index, "2a01:4f8::1");
        var comcast = Profile(index, "73.1.2.3");

        Assert.Equal((SourceType.CloudPlatform, "AWS"), (amazon.SourceType, amazon.CloudProvider));
        Assert.Contains("AS14618", amazon.Provenance.Single(p => p.Field == SourceProfiler.SourceTypeField).Method, StringComparison.Ordinal);
        Assert.Equal(SourceType.Datacenter, hetzner.SourceType);
        Assert.Equal("asn", hetzner.Provenance.Single(p => p.Field == SourceProfiler.SourceTypeField).Source);
        Assert.Equal(SourceType.Unknown, comcast.SourceType);
        Assert.DoesNotContain(comcast.Provenance, p => p.Field == SourceProfiler.SourceTypeField);
    }

    [Fact]
    public void Profile_EveryFieldItSets_HasProvenance()
    {
        var index = AllSamples();
        foreach (var ip in new[] { "86.1.2.3", "3.81.1.1", "5.9.1.1", "20.50.120.9", "45.148.10.5", "1.0.0.1" })
        {
            var profile = Profile(index, ip);
            var fields = profile.Provenance.Select(p => p.Field).ToHashSet();
            if (profile.CountryCode is not null) Assert.Contains("country", fields);
            if (profile.Asn is not null) Assert.Contains("asn", fields);
            if (profile.AsOrganization is not null) Assert.Contains("asOrganization", fields);
            if (profile.CloudProvider is not null) Assert.Contains("cloudProvider", fields);
            if (profile.SourceType != SourceType.Unknown) Assert.Contains(SourceProfiler.SourceTypeField, fields);
            Assert.All(profile.Provenance, p => Assert.False(string.IsNullOrEmpty(p.DatasetVersion) && p.Source != BogonRegistry.SourceName, $"{ip}: {p.Field} from {p.Source} has no dataset version"));
            Assert.Equal("test", profile.IntelVersion);
        }
    }

    [Fact]
    public void Profile_CountryFromTheGeoSource_HasCodeAndName()
    {
        var profile = Profile(AllSamples(), "86.1.2.3");

        Assert.Equal(("GB", "United Kingdom"), (profile.CountryCode, profile.CountryName));
        Assert.Equal("country", profile.Provenance.Single(p => p.Field == "country").Source);
    }

    [Fact]
    public void Judge_TorExitDuringTheIncident_IsTorAndNotMalicious()
    {
        var cached = SourceProfiler.Profile("199.249.230.87", AllSamples(), Observed);
        var during = new DateTimeOffset(2025, 11, 20, 10, 30, 0, TimeSpan.Zero);

        var profile = SourceProfiler.Judge(cached, during, during.AddMinutes(5), Tolerance);

        Assert.NotNull(cached.Tor);
        Assert.NotEqual(SourceType.Tor, cached.Profile.SourceType);
        Assert.Equal(SourceType.Tor, profile.SourceType);
        Assert.False(profile.IsMalicious);
        Assert.Equal("tor-exit-addresses", profile.Provenance.Single(p => p.Field == SourceProfiler.SourceTypeField).Source);
    }

    [Fact]
    public void Judge_HistoricListing_AppliesTheToleranceAtBothEnds()
    {
        var first = new DateTimeOffset(2025, 11, 10, 8, 0, 0, TimeSpan.Zero);
        var last = new DateTimeOffset(2025, 11, 12, 20, 0, 0, TimeSpan.Zero);
        var tor = new IntelSourceContent { Tor = [new TorListing(Ip("185.220.101.4"), first, last, Current: false)] };
        var cached = SourceProfiler.Profile("185.220.101.4", Index(Source("tor", IntelSourceType.TorBulkExitList, tor)), Observed);
        SourceType At(DateTimeOffset from, DateTimeOffset to) => SourceProfiler.Judge(cached, from, to, Tolerance).SourceType;
        var second = TimeSpan.FromSeconds(1);

        Assert.Equal(SourceType.Unknown, At(first - Tolerance - TimeSpan.FromHours(5), first - Tolerance - second));
        Assert.Equal(SourceType.Tor, At(first - Tolerance - TimeSpan.FromHours(5), first - Tolerance));
        Assert.Equal(SourceType.Tor, At(last + Tolerance, last + Tolerance + TimeSpan.FromHours(5)));
        Assert.Equal(SourceType.Unknown, At(last + Tolerance + second, last + Tolerance + TimeSpan.FromHours(5)));
        Assert.Equal(SourceType.Tor, At(first - TimeSpan.FromDays(3), last + TimeSpan.FromDays(3)));
    }

    [Fact]
    public void Judge_StillListed_HasNoUpperBound()
    {
        var first = new DateTimeOffset(2025, 11, 20, 11, 0, 0, TimeSpan.Zero);
        var tor = new IntelSourceContent { Tor = [new TorListing(Ip("185.220.101.4"), first, first, Current: true)] };
        var cached = SourceProfiler.Profile("185.220.101.4", Index(Source("tor", IntelSourceType.TorBulkExitList, tor)), Observed);

        Assert.Null(cached.Tor!.LastListed);
        Assert.Equal(SourceType.Tor, SourceProfiler.Judge(cached, first.AddDays(20), first.AddDays(20), Tolerance).SourceType);
        Assert.Equal(SourceType.Unknown, SourceProfiler.Judge(cached, first.AddDays(-2), first.AddDays(-1), Tolerance).SourceType);
    }

    [Fact]
    public void Judge_PrivateAddressOnATorList_StaysPrivate()
    {
        var tor = new IntelSourceContent { Tor = [new TorListing(Ip("10.0.0.9"), Observed, Observed)] };
        var cached = SourceProfiler.Profile("10.0.0.9", Index(Source("tor", IntelSourceType.TorBulkExitList, tor)), Observed);

        Assert.Equal(SourceType.Private, SourceProfiler.Judge(cached, Observed, Observed, Tolerance).SourceType);
    }

    [Fact]
    public void Profile_CategoryLists_SetVpnAndProxyTypesNotTheMaliciousLabel()
    {
        var vpn = IntelParsers.Parse(IntelSourceType.IpList, Encoding.UTF8.GetBytes("2.56.16.0/22\n"), new IntelParseContext(Observed));
        var proxies = IntelParsers.Parse(IntelSourceType.IpList, Encoding.UTF8.GetBytes("181.112.0.0/21\n2.56.16.9\n"), new IntelParseContext(Observed));
        var index = Index(
            Source("x4bnet-vpn", IntelSourceType.IpList, vpn, IntelListCategory.Vpn),
            Source("firehol_proxies", IntelSourceType.IpList, proxies, IntelListCategory.PublicProxy));

        Assert.Equal(SourceType.Vpn, Profile(index, "2.56.17.1").SourceType);
        Assert.Equal(SourceType.Vpn, Profile(index, "2.56.16.9").SourceType);
        Assert.Equal(SourceType.PublicProxy, Profile(index, "181.112.3.3").SourceType);
        Assert.False(Profile(index, "181.112.3.3").IsMalicious);
    }

    [Fact]
    public void Profile_AnonymousIpTorFlag_IsTorWithoutATimeWindow()
    {
        var content = new IntelSourceContent { Anonymity = new RangeTable<AnonymityTraits>() };
        Assert.True(IpRange.TryParse("65.0.0.0/13", out var range));
        content.Anonymity.Add(range, AnonymityTraits.Anonymous | AnonymityTraits.TorExit);

        var cached = SourceProfiler.Profile("65.1.1.1", Index(Source("anonymous-ip", IntelSourceType.Mmdb, content)), Observed);

        Assert.Equal(SourceType.Tor, cached.Profile.SourceType);
        Assert.Null(cached.Tor);
        Assert.False(cached.Profile.IsMalicious);
    }
}
