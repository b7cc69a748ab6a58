using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class GeofeedParserTests
{
    [Fact]
    public void Parse_Geofeed_ReadsCityAsTheSiteAndQuotedPrefixes()
    {
        var content = Parse(IntelSourceType.CloudGeofeed, "digitalocean-geofeed.csv");

        Assert.Equal(new CloudValue("DigitalOcean", "Frankfurt", null), At(content.Cloud, "159.89.130.1"));
        Assert.Equal(new CloudValue("DigitalOcean", "Bangalore", null), At(content.Cloud, "134.209.1.1"));
        Assert.Equal(new CloudValue("DigitalOcean", "Frankfurt", null), At(content.Cloud, "2a03:b0c0:3::1"));
        Assert.Equal(5, content.Entries);
    }
}
