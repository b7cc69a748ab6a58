using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class IpListParserTests
{
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
}
