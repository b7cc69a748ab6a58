using System.IO.Compression;
using System.Text;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Unit)]
public sealed class EnrichmentPublisherTests
{
    private static EnrichmentSource Source(int i, int incidents) => new()
    {
        Ip = $"2001:db8::{i:x}",
        FirstSeen = DateTimeOffset.UnixEpoch,
        LastSeen = DateTimeOffset.UnixEpoch.AddHours(1),
        Incidents = Enumerable.Range(0, incidents).Select(n => new EnrichmentIncidentRef { Id = $"attacks_production_5_202611_v_1:{i}-{n}-abcdefghijkl", Days = ["2026-11-20", "2026-11-21"] }).ToList(),
    };

    private static List<(string Ip, string Id)> Refs(IEnumerable<BinaryData> bodies)
        => bodies.Select(EnrichmentRequestSerializer.Decode).SelectMany(r => r.Sources).SelectMany(s => s.Incidents.Select(i => (s.Ip, i.Id))).ToList();

    private static void AssertFitsTheQueue(BinaryData body)
    {
        Assert.True(body.ToMemory().Length <= EnrichmentPublisher.MaxBodyBytes, $"{body.ToMemory().Length} bytes");
        // Base64 of the largest body still fits the 64 KiB queue message limit.
        Assert.True(Convert.ToBase64String(body.ToMemory().Span).Length <= 65_536);
    }

    [Fact]
    public void Pack_ManySources_StaysWithinTheQueueMessageLimitAndLosesNothing()
    {
        var sources = Enumerable.Range(0, 3_000).Select(i => Source(i, 1 + i % 7)).Append(Source(99_999, 180)).ToList();

        var bodies = EnrichmentPublisher.Pack(5, "run-1", DateTimeOffset.UnixEpoch, sources);

        Assert.All(bodies, AssertFitsTheQueue);
        var refs = Refs(bodies);
        Assert.Equal(sources.Sum(s => s.Incidents.Count), refs.Count);
        Assert.Equal(refs.Count, refs.Distinct().Count());
    }

    [Fact]
    public void Pack_IncidentIdsWithACommonPrefix_NeedAFractionOfThePlainJsonMessages()
    {
        var sources = Enumerable.Range(0, 500).Select(i => Source(i, 50)).ToList();

        var bodies = EnrichmentPublisher.Pack(5, "run-1", DateTimeOffset.UnixEpoch, sources);

        // Uncompressed, each body would have to stay under 48,000 bytes of JSON.
        var plainMessages = bodies.Select(EnrichmentRequestSerializer.Decode).Sum(r => Encoding.UTF8.GetByteCount(EnrichmentRequestSerializer.Serialize(r))) / EnrichmentPublisher.MaxBodyBytes;
        Assert.True(bodies.Count * 4 <= plainMessages, $"{bodies.Count} compressed bodies, {plainMessages}+ plain");
        Assert.Equal(500 * 50, Refs(bodies).Count);
    }

    [Fact]
    public void Pack_IdsThatDoNotCompress_AreSplitUntilEveryBodyFits()
    {
        var random = new Random(20261201);
        var sources = Enumerable.Range(0, 300).Select(i => Source(i, 50) with
        {
            Incidents = Enumerable.Range(0, 50).Select(_ => new EnrichmentIncidentRef { Id = RandomId(random), Days = ["2026-11-20"] }).ToList(),
        }).ToList();

        var bodies = EnrichmentPublisher.Pack(5, "run-1", DateTimeOffset.UnixEpoch, sources);

        Assert.All(bodies, AssertFitsTheQueue);
        Assert.Equal(300 * 50, Refs(bodies).Distinct().Count());
    }

    [Fact]
    public void Decode_PlainJsonBody_IsReadAsBefore()
    {
        var request = new EnrichmentRequest { TenantId = 5, RunId = "run-1", CreatedAt = DateTimeOffset.UnixEpoch, Sources = [Source(1, 3)] };

        var decoded = EnrichmentRequestSerializer.Decode(BinaryData.FromString(EnrichmentRequestSerializer.Serialize(request)));

        Assert.Equal(["2001:db8::1"], decoded.Sources.Select(s => s.Ip));
        Assert.Equal(3, decoded.Sources[0].Incidents.Count);
    }

    [Fact]
    public void Decode_GzipThatInflatesPastTheBound_ThrowsFormatException()
    {
        // 4 MiB of spaces compress to about 4 KB: a small body must not expand without bound.
        var bomb = Gzip(Encoding.UTF8.GetBytes("{\"version\":1," + new string(' ', 4 * 1024 * 1024) + "}"));
        Assert.True(bomb.Length < 48_000);

        var error = Assert.Throws<FormatException>(() => EnrichmentRequestSerializer.Decode(new BinaryData(bomb)));
        Assert.Contains("inflates to more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DamagedGzip_ThrowsFormatException()
    {
        var body = EnrichmentRequestSerializer.Encode(new EnrichmentRequest { TenantId = 5, RunId = "run-1", CreatedAt = DateTimeOffset.UnixEpoch, Sources = [Source(1, 3)] }).ToArray();

        Assert.Throws<FormatException>(() => EnrichmentRequestSerializer.Decode(new BinaryData(body[..(body.Length / 2)])));
        body[12] ^= 0xFF;
        Assert.Throws<FormatException>(() => EnrichmentRequestSerializer.Decode(new BinaryData(body)));
    }

    [Fact]
    public void Decode_GzipOfInvalidUtf8_ThrowsFormatException()
    {
        byte[] text = [.. "{\"version\":1,\"runId\":\""u8, 0x80, 0xFF, .. "\"}"u8];

        var error = Assert.Throws<FormatException>(() => EnrichmentRequestSerializer.Decode(new BinaryData(Gzip(text))));
        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
    }

    private static string RandomId(Random random)
    {
        var bytes = new byte[40];
        random.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }

    private static byte[] Gzip(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal)) gzip.Write(data);
        return buffer.ToArray();
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("""{"version":2,"kind":"enrich-sources","tenantId":5,"runId":"r","createdAt":"2026-11-20T00:00:00Z","sources":[]}""")]
    [InlineData("""{"version":1,"kind":"something-else","tenantId":5,"runId":"r","createdAt":"2026-11-20T00:00:00Z","sources":[]}""")]
    [InlineData("""{"version":1,"kind":"enrich-sources","tenantId":5,"runId":"r","createdAt":"2026-11-20T00:00:00Z","sources":[{"ip":"","firstSeen":"2026-11-20T00:00:00Z","lastSeen":"2026-11-20T00:00:00Z","incidents":[]}]}""")]
    public void Deserialize_BadMessage_ThrowsFormatException(string body)
        => Assert.Throws<FormatException>(() => EnrichmentRequestSerializer.Deserialize(body));
}
