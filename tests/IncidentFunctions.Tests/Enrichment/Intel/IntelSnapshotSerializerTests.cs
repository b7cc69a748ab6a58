using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel;

[Trait("Category", TestCategories.Unit)]
public sealed class IntelSnapshotSerializerTests
{
    private static IntelSnapshot Snapshot() => new("20251120T120000Z-abcdef12", Observed,
    [
        Sample("asn", IntelSourceType.IpLocationDbCsv, "ip-location-db-asn.csv"),
        Sample("country", IntelSourceType.IpLocationDbCsv, "ip-location-db-country.csv"),
        Sample("aws", IntelSourceType.AwsIpRanges, "aws-ip-ranges.json"),
        Sample("firehol", IntelSourceType.IpList, "firehol_level1.netset", IntelListCategory.Malicious),
        Sample("asndrop", IntelSourceType.SpamhausDropJson, "asndrop.json", IntelListCategory.Malicious),
        Sample("tor", IntelSourceType.TorExitAddresses, "tor-exit-addresses.txt"),
    ]);

    [Fact]
    public void Read_WhatWriteWrote_GivesTheSameLookups()
    {
        var original = Snapshot();

        var copy = IntelSnapshotSerializer.Read(new MemoryStream(IntelSnapshotSerializer.ToBytes(original)));

        Assert.Equal(original.Version, copy.Version);
        Assert.Equal(original.CreatedAt, copy.CreatedAt);
        Assert.Equal(original.Sources.Select(s => s.Info), copy.Sources.Select(s => s.Info));
        var a = IntelIndex.Build(original);
        var b = IntelIndex.Build(copy);
        foreach (var ip in new[] { "3.81.1.1", "73.8.1.1", "86.1.2.3", "45.148.10.5", "10.1.1.1", "199.249.230.88", "2a01:4f8::1", "2600:1f18::9", "9.9.9.9" })
        {
            var x = a.Lookup(Ip(ip));
            var y = b.Lookup(Ip(ip));
            Assert.Equal(x, y);
            if (x.Asn >= 0) Assert.Equal(a.AsnValues[x.Asn], b.AsnValues[y.Asn]);
            if (x.Cloud >= 0) Assert.Equal(a.CloudValues[x.Cloud], b.CloudValues[y.Cloud]);
            if (x.Tor >= 0) Assert.Equal(a.TorEntries[x.Tor], b.TorEntries[y.Tor]);
        }

        Assert.Equal(original.Sources[4].Content.ListedAsns, copy.Sources[4].Content.ListedAsns);
    }

    [Fact]
    public void Read_TruncatedOrForeignBytes_IsInvalidData()
    {
        var bytes = IntelSnapshotSerializer.ToBytes(Snapshot());

        Assert.Throws<InvalidDataException>(() => IntelSnapshotSerializer.Read(new MemoryStream(bytes[..(bytes.Length / 2)])));
        Assert.Throws<InvalidDataException>(() => IntelSnapshotSerializer.Read(new MemoryStream(Sample("ip2asn-v4.tsv.gz"))));
        Assert.Throws<InvalidDataException>(() => IntelSnapshotSerializer.Read(new MemoryStream(Sample("aws-ip-ranges.json"))));
    }
}
