using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Tests.Enrichment.Intel;

[Trait("Category", TestCategories.Unit)]
public sealed class AsnClassifierTests
{
    [Theory]
    [InlineData(16509, "Amazon.com, Inc.", SourceType.CloudPlatform, "AWS")]
    [InlineData(999_001, "Amazon Data Services Ireland Ltd", SourceType.CloudPlatform, "AWS")]
    [InlineData(8075, "Microsoft Corporation", SourceType.CloudPlatform, "Azure")]
    [InlineData(396982, "Google LLC", SourceType.CloudPlatform, "Google Cloud")]
    [InlineData(31898, "Oracle Corporation", SourceType.CloudPlatform, "Oracle")]
    [InlineData(14061, "DigitalOcean, LLC", SourceType.CloudPlatform, "DigitalOcean")]
    [InlineData(24940, "Hetzner Online GmbH", SourceType.Datacenter, null)]
    [InlineData(16276, "OVH SAS", SourceType.Datacenter, null)]
    [InlineData(213438, "ColocaTel Inc.", SourceType.Datacenter, null)]
    [InlineData(48090, "TECHOFF SRV LIMITED", SourceType.Datacenter, null)]
    [InlineData(999_002, "Example Hosting B.V.", SourceType.Datacenter, null)]
    [InlineData(999_003, "Nordic Data Center AS", SourceType.Datacenter, null)]
    [InlineData(7922, "Comcast Cable Communications, LLC", SourceType.Unknown, null)]
    [InlineData(27895, "Nucleo S.A.", SourceType.Unknown, null)]
    [InlineData(999_004, "Amazonas Telecomunicacoes Ltda", SourceType.Unknown, null)]
    [InlineData(999_005, "Colombia Movil", SourceType.Unknown, null)]
    [InlineData(999_006, "Kovhar Telecom", SourceType.Unknown, null)]
    [InlineData(999_007, null, SourceType.Unknown, null)]
    public void Classify_AsnAndOrganisation_GivesSourceTypeAndProvider(long asn, string? organization, SourceType expected, string? provider)
    {
        var result = AsnClassifier.Classify(asn, organization);

        Assert.Equal(expected, result.SourceType);
        Assert.Equal(provider, result.Provider);
        if (expected != SourceType.Unknown) Assert.NotEmpty(result.Rule);
    }
}
