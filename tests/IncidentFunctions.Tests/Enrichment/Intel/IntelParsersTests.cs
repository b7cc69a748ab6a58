using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel;

/// <summary>The entry point: every format reached, gzip undone within bounds. Each format family has its own tests in Parsers/.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class IntelParsersTests
{
    public static TheoryData<IntelSourceType> EveryFormat => new(Enum.GetValues<IntelSourceType>());

    [Theory]
    [MemberData(nameof(EveryFormat))]
    public void Parse_HtmlErrorPageInAnyFormat_IsRefusedSayingItIsNotTheFormat(IntelSourceType type)
    {
        var error = Assert.Throws<IntelFormatException>(() => Parse(type, "error-page.html"));

        Assert.Contains("not a", error.Message, StringComparison.OrdinalIgnoreCase);
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
}
