using IncidentFunctions.Enrichment.Intel;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel;

[Trait("Category", TestCategories.Unit)]
public sealed class SegmentIndexTests
{
    private static SegmentIndex<int> Build(params (string Range, int Value)[] ranges)
    {
        var collector = new RangeCollector();
        foreach (var (text, value) in ranges)
        {
            Assert.True(IpRange.TryParse(text, out var range), text);
            collector.Add(range, value);
        }

        return SegmentBuilder.SmallestWins(collector);
    }

    [Fact]
    public void SmallestWins_NestedPrefixes_TheInnerOneAnswersForItsAddresses()
    {
        var index = Build(("10.0.0.0/8", 1), ("10.1.0.0/16", 2), ("10.1.2.0/24", 3));

        Assert.Equal(1, index.Find(Ip("10.0.255.255")));
        Assert.Equal(2, index.Find(Ip("10.1.0.0")));
        Assert.Equal(2, index.Find(Ip("10.1.1.255")));
        Assert.Equal(3, index.Find(Ip("10.1.2.0")));
        Assert.Equal(3, index.Find(Ip("10.1.2.255")));
        Assert.Equal(2, index.Find(Ip("10.1.3.0")));
        Assert.Equal(2, index.Find(Ip("10.1.255.255")));
        Assert.Equal(1, index.Find(Ip("10.2.0.0")));
        Assert.Equal(1, index.Find(Ip("10.255.255.255")));
        Assert.Equal(-1, index.Find(Ip("11.0.0.0")));
        Assert.Equal(-1, index.Find(Ip("9.255.255.255")));
    }

    [Fact]
    public void SmallestWins_AddedInAnyOrder_GivesTheSameAnswers()
    {
        var forward = Build(("10.0.0.0/8", 1), ("10.1.0.0/16", 2), ("10.1.2.0/24", 3));
        var backward = Build(("10.1.2.0/24", 3), ("10.1.0.0/16", 2), ("10.0.0.0/8", 1));

        foreach (var ip in new[] { "10.0.0.1", "10.1.0.1", "10.1.2.1", "10.1.3.1", "10.200.0.0" })
        {
            Assert.Equal(forward.Find(Ip(ip)), backward.Find(Ip(ip)));
        }
    }

    [Fact]
    public void SmallestWins_PartlyOverlappingRanges_EachAddressGetsTheSmallerCover()
    {
        // 1.0.0.0-1.0.0.99 (100 addresses) and 1.0.0.50-1.0.0.199 (150): the overlap belongs to the first.
        var index = Build(("1.0.0.0-1.0.0.99", 1), ("1.0.0.50-1.0.0.199", 2));

        Assert.Equal(1, index.Find(Ip("1.0.0.49")));
        Assert.Equal(1, index.Find(Ip("1.0.0.50")));
        Assert.Equal(1, index.Find(Ip("1.0.0.99")));
        Assert.Equal(2, index.Find(Ip("1.0.0.100")));
        Assert.Equal(2, index.Find(Ip("1.0.0.199")));
        Assert.Equal(-1, index.Find(Ip("1.0.0.200")));
    }

    [Fact]
    public void SmallestWins_EqualSizes_TheRangeAddedFirstWins()
    {
        var index = Build(("3.80.0.0/12", 7), ("3.80.0.0/12", 8));

        Assert.Equal(7, index.Find(Ip("3.80.0.1")));
    }

    [Fact]
    public void Find_EdgesOfTheAddressSpace_AreAnswered()
    {
        var index = Build(("0.0.0.0/8", 1), ("255.255.255.255", 2), ("::/128", 3), ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", 4), ("2001:db8::/32", 5));

        Assert.Equal(1, index.Find(Ip("0.0.0.0")));
        Assert.Equal(-1, index.Find(Ip("1.0.0.0")));
        Assert.Equal(2, index.Find(Ip("255.255.255.255")));
        Assert.Equal(-1, index.Find(Ip("255.255.255.254")));
        Assert.Equal(3, index.Find(Ip("::")));
        Assert.Equal(-1, index.Find(Ip("::1")));
        Assert.Equal(4, index.Find(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        Assert.Equal(-1, index.Find(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff")));
        Assert.Equal(5, index.Find(Ip("2001:db8::")));
        Assert.Equal(5, index.Find(Ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        Assert.Equal(-1, index.Find(Ip("2001:db9::")));
        Assert.Equal(-1, index.Find(Ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));
    }

    [Fact]
    public void Find_Ipv6RangeSpanningTheIpv4Block_DoesNotAnswerForIpv4()
    {
        var index = Build(("::/3", 1));

        Assert.Equal(1, index.Find(Ip("::2")));
        Assert.Equal(1, index.Find(Ip("1fff::1")));
        Assert.Equal(-1, index.Find(Ip("8.8.8.8")));
        Assert.Equal(-1, index.Find(Ip("0.0.0.0")));
        Assert.Equal(1, index.Find(IpNumber.V4Last + 1));
        Assert.Equal(1, index.Find(IpNumber.V4First - 1));
    }

    [Fact]
    public void SmallestWins_RandomRanges_AgreesWithABruteForceSearch()
    {
        // Small universe so every address can be checked: 1.2.0.0-1.2.3.255, ranges of random bounds and sizes.
        var random = new Random(20251120);
        var ranges = new List<(uint Start, uint End, int Value)>();
        var collector = new RangeCollector();
        for (var i = 0; i < 300; i++)
        {
            var start = (uint)random.Next(0, 1024);
            var end = Math.Min(1023u, start + (uint)random.Next(0, random.Next(2) == 0 ? 8 : 400));
            ranges.Add((start, end, i));
            collector.Add(new IpRange(IpNumber.FromV4(0x01020000 + start), IpNumber.FromV4(0x01020000 + end)), i);
        }

        var index = SegmentBuilder.SmallestWins(collector);

        for (var a = 0u; a < 1024; a++)
        {
            var expected = ranges.Where(r => r.Start <= a && a <= r.End).OrderBy(r => r.End - r.Start).ThenBy(r => r.Value).Select(r => r.Value).DefaultIfEmpty(-1).First();
            Assert.Equal(expected, index.Find(IpNumber.FromV4(0x01020000 + a)));
        }
    }

    [Fact]
    public void UnionMask_OverlappingLists_EveryAddressGetsEveryCoveringBit()
    {
        var random = new Random(7);
        var ranges = new List<(uint Start, uint End, int Bit)>();
        var collector = new RangeCollector();
        for (var i = 0; i < 200; i++)
        {
            var start = (uint)random.Next(0, 512);
            var end = Math.Min(511u, start + (uint)random.Next(0, 60));
            var bit = random.Next(0, 64);
            ranges.Add((start, end, bit));
            collector.Add(new IpRange(IpNumber.FromV4(start), IpNumber.FromV4(end)), bit);
        }

        var index = SegmentBuilder.UnionMask(collector);

        for (var a = 0u; a < 512; a++)
        {
            var expected = ranges.Where(r => r.Start <= a && a <= r.End).Aggregate(0UL, (m, r) => m | (1UL << r.Bit));
            Assert.Equal(expected, index.Find(IpNumber.FromV4(a)));
        }
    }

    [Fact]
    public void SmallestWins_NoRanges_AnswersNone()
    {
        var index = SegmentBuilder.SmallestWins(new RangeCollector());

        Assert.Equal(-1, index.Find(Ip("8.8.8.8")));
        Assert.Equal(-1, index.Find(Ip("2001:db8::1")));
    }
}
