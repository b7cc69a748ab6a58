using System.Text;
using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class TorParserTests
{
    private static IntelSourceContent ParseText(IntelSourceType type, string text)
        => IntelParsers.Parse(type, Encoding.UTF8.GetBytes(text), new IntelParseContext(Observed));

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
}
