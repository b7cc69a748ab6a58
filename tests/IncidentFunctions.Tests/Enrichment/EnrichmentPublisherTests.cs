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

    [Fact]
    public void Pack_ManySources_StaysWithinTheQueueMessageLimitAndLosesNothing()
    {
        var sources = Enumerable.Range(0, 3_000).Select(i => Source(i, 1 + i % 7)).Append(Source(99_999, 180)).ToList();

        var bodies = EnrichmentPublisher.Pack(5, "run-1", DateTimeOffset.UnixEpoch, sources);

        Assert.All(bodies, b => Assert.True(Encoding.UTF8.GetByteCount(b) <= EnrichmentPublisher.MaxBodyBytes, $"{Encoding.UTF8.GetByteCount(b)} bytes"));
        // Base64 of the largest body still fits the 64 KiB queue message limit.
        Assert.All(bodies, b => Assert.True(Convert.ToBase64String(Encoding.UTF8.GetBytes(b)).Length <= 65_536));
        var refs = bodies.Select(EnrichmentRequestSerializer.Deserialize).SelectMany(r => r.Sources).SelectMany(s => s.Incidents.Select(i => (s.Ip, i.Id))).ToList();
        Assert.Equal(sources.Sum(s => s.Incidents.Count), refs.Count);
        Assert.Equal(refs.Count, refs.Distinct().Count());
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
