using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel;

[Trait("Category", TestCategories.Unit)]
public sealed class IpRangeTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", "10.255.255.255")]
    [InlineData("31.13.0.77/16", "31.13.0.0", "31.13.255.255")]
    [InlineData("1.2.3.4", "1.2.3.4", "1.2.3.4")]
    [InlineData(" 1.2.3.4-1.2.3.9 ", "1.2.3.4", "1.2.3.9")]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255")]
    [InlineData("2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("2a06:e480::/29", "2a06:e480::", "2a06:e487:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("::ffff:1.2.3.0/120", "1.2.3.0", "1.2.3.255")]
    public void TryParse_ValidText_GivesTheInclusiveRange(string text, string first, string last)
    {
        Assert.True(IpRange.TryParse(text, out var range));
        Assert.Equal(Ip(first), range.Start);
        Assert.Equal(Ip(last), range.End);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.9-1.2.3.4")]
    [InlineData("1.2.3.4-2001:db8::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("<html>")]
    public void TryParse_NotAnAddressOrRange_Fails(string text) => Assert.False(IpRange.TryParse(text, out _));

    [Fact]
    public void ClipMapped_Ipv6RangeOverTheIpv4Block_LosesThatPart()
    {
        Assert.True(IpRange.TryParse("::/8", out var range));
        Span<IpRange> parts = stackalloc IpRange[2];

        var count = range.ClipMapped(parts);

        Assert.Equal(2, count);
        Assert.Equal(IpNumber.V4First - 1, parts[0].End);
        Assert.Equal(IpNumber.V4Last + 1, parts[1].Start);
        Assert.False(parts[0].Contains(Ip("8.8.8.8")) || parts[1].Contains(Ip("8.8.8.8")));
    }

    [Fact]
    public void IpNumber_Ipv4AndItsMappedForm_AreTheSameNumber()
    {
        Assert.Equal(Ip("192.0.2.1"), Ip("::ffff:192.0.2.1"));
        Assert.True(IpNumber.IsV4(Ip("255.255.255.255")));
        Assert.False(IpNumber.IsV4(Ip("::1")));
        Assert.Equal("2001:db8::1", IpNumber.Format(Ip("2001:DB8:0::1")));
        Assert.Equal("0.0.0.0", IpNumber.Format(IpNumber.V4First));
    }
}
