using System.Text;
using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class SpamhausDropParserTests
{
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
    public void Parse_SemicolonCommentsAndMetadata_AreNotEntries()
    {
        var text = "; Spamhaus DROP\n{\"cidr\":\"1.10.16.0/20\",\"sblid\":\"SBL256894\"}\n{\"type\":\"metadata\",\"timestamp\":1763610602}\n";

        var content = IntelParsers.Parse(IntelSourceType.SpamhausDropJson, Encoding.UTF8.GetBytes(text), new IntelParseContext(Observed));

        Assert.Equal(1, content.Entries);
        Assert.Equal(0, content.InvalidEntries);
        Assert.Equal("1763610602", content.DatasetVersion);
    }

    [Fact]
    public void Parse_LinesOfTheWrongJsonKind_AreCountedUnreadableAndBadTimestampsIgnored()
    {
        var text = "{\"cidr\":\"1.10.16.0/20\"}\n42\n[\"1.2.3.0/24\"]\n\"x\"\n{\"asn\":\"AS48090\"}\n{\"type\":\"metadata\",\"timestamp\":\"today\"}\n{\"type\":\"metadata\",\"timestamp\":999999999999999999}\n";

        var content = IntelParsers.Parse(IntelSourceType.SpamhausDropJson, Encoding.UTF8.GetBytes(text), new IntelParseContext(Observed));

        Assert.Equal(1, content.Entries);
        Assert.Equal(4, content.InvalidEntries);
        Assert.Null(content.DatasetDate);
    }
}
