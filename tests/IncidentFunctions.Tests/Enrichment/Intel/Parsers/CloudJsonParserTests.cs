using System.Text;
using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

[Trait("Category", TestCategories.Unit)]
public sealed class CloudJsonParserTests
{
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
    public void Parse_AzureTagThatIsNotAnObject_IsCountedUnreadable()
    {
        const string json = """{"changeNumber":1,"cloud":"Public","values":[42,{"name":"AzureCloud","properties":{"addressPrefixes":["20.33.0.0/16"]}}]}""";

        var content = IntelParsers.Parse(IntelSourceType.AzureServiceTags, Encoding.UTF8.GetBytes(json), new IntelParseContext(Observed));

        Assert.Equal(1, content.Entries);
        Assert.Equal(1, content.InvalidEntries);
    }

    [Fact]
    public void Parse_OracleRegionThatIsNotAnObject_IsCountedUnreadable()
    {
        const string json = """{"last_updated_timestamp":"2025-11-20T10:00:00.000000","regions":["us-ashburn-1",{"region":"eu-frankfurt-1","cidrs":[{"cidr":"130.61.0.0/16","tags":["OCI"]}]}]}""";

        var content = IntelParsers.Parse(IntelSourceType.OracleCloudJson, Encoding.UTF8.GetBytes(json), new IntelParseContext(Observed));

        Assert.Equal(1, content.Entries);
        Assert.Equal(1, content.InvalidEntries);
    }
}
