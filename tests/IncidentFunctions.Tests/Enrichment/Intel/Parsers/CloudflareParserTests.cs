using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class CloudflareParserTests
{
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
}
