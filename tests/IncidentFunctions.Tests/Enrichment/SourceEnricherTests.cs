using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Integration)]
public sealed class SourceEnricherTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static QueueJob EnrichJob(AppHarness app) => app.Services.GetServices<QueueJob>().Single(j => j.FunctionName == "EnrichSources");

    private static QueueClient Queue(AppHarness app, string name)
        => new(app.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>Hands every message on the enrichment queue to the registered job, as a host would; returns how many.</summary>
    private static async Task<int> DrainAsync(AppHarness app)
    {
        var queue = Queue(app, app.QueueName);
        var job = EnrichJob(app);
        var handled = 0;
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, cancellationToken: Ct)).Value;
            if (batch.Length == 0) return handled;
            foreach (var message in batch)
            {
                await job.HandleAsync(app.Services, message.Body, Ct);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);
                handled++;
            }
        }
    }

    [Fact]
    public async Task EnrichSources_PulledIncidents_EverySourceIsEnrichedPerReportDayByKind()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Enrichment:UseDefaultSources"] = "true" });
        var pull = await app.PullAsync(Ct);
        var handled = await DrainAsync(app);

        Assert.True(pull.Messages > 0 && handled == pull.Messages, $"{pull.Messages} message(s) sent, {handled} handled");
        var kinds = app.Simulator.Data.AllAddresses.ToDictionary(a => a.Address, a => a.Pool);
        var incidents = app.Get<IncidentStore>();
        var sources = app.Get<SourceProfileStore>();
        var calendar = app.Get<ReportCalendar>();
        var seen = new List<(IpPool Pool, SourceProfile Profile)>();
        var attributions = new HashSet<string>();
        foreach (var day in calendar.DaysSpanned(ManualClock.DefaultStart.AddDays(-4), ManualClock.DefaultStart))
        {
            var ips = new HashSet<string>();
            await foreach (var incident in incidents.GetDayAsync(pull.TenantId, day, Ct)) ips.UnionWith(incident.ReadTopIps().Select(t => t.Ip));
            var daySources = await sources.GetDayAsync(pull.TenantId, day, Ct);
            attributions.UnionWith(daySources.Attributions);
            foreach (var ip in ips)
            {
                Assert.True(daySources.Profiles.TryGetValue(ip, out var profile), $"{ip} on {day} has no enriched source");
                seen.Add((kinds[ip], profile));
            }
        }

        Assert.NotEmpty(seen);
        foreach (var (pool, profile) in seen)
        {
            var what = $"{profile.Ip} from pool {pool.Name}: {profile.SourceType} {profile.CloudProvider} [{string.Join(",", profile.MaliciousLists)}]";
            switch (pool.Kind)
            {
                case IpPoolKind.Private:
                    Assert.True(profile.SourceType == SourceType.Private && !profile.IsMalicious, what);
                    break;
                case IpPoolKind.Tor:
                    Assert.True(profile.SourceType == SourceType.Tor && !profile.IsMalicious, what);
                    break;
                case IpPoolKind.Cloud:
                    Assert.True(profile.SourceType == SourceType.CloudPlatform && profile.CloudProvider == pool.Provider, what);
                    break;
                case IpPoolKind.Datacenter:
                    Assert.True(profile.SourceType == SourceType.Datacenter && !profile.IsMalicious, what);
                    Assert.Contains("ASN", profile.Provenance.Single(p => p.Field == SourceProfiler.SourceTypeField).Method, StringComparison.Ordinal);
                    break;
                case IpPoolKind.Malicious:
                    Assert.True(profile.IsMalicious && profile.MaliciousLists.Contains("firehol_level1"), what);
                    break;
                case IpPoolKind.Vpn:
                    Assert.True(profile.SourceType == SourceType.Vpn, what);
                    break;
                case IpPoolKind.Proxy:
                    Assert.True(profile.SourceType == SourceType.PublicProxy, what);
                    break;
                default:
                    Assert.True(profile.SourceType == SourceType.Unknown && !profile.IsMalicious, what);
                    break;
            }

            // Country from the offline npm data (ASN too, where the data has the range: it has gaps).
            if (pool.Kind != IpPoolKind.Private) Assert.True(profile.CountryCode is not null, what);
        }

        var withAsn = seen.Where(s => s.Profile.Asn is not null).ToList();
        Assert.True(withAsn.Count > seen.Count * 0.8, $"{withAsn.Count} of {seen.Count} sources have an ASN");
        Assert.All(withAsn, s => Assert.StartsWith("ip-location-db-asn", s.Profile.Provenance.Single(p => p.Field == "asn").Source, StringComparison.Ordinal));

        var types = seen.Select(s => s.Profile.SourceType).ToHashSet();
        Assert.Superset(new HashSet<SourceType> { SourceType.Tor, SourceType.CloudPlatform, SourceType.Datacenter, SourceType.Unknown }, types);
        Assert.Contains(seen, s => s.Profile.IsMalicious);
        Assert.Contains(IntelSourcePresets.IpLocationDbAttribution, attributions);
        Assert.Contains(IntelSourcePresets.CountryAttribution, attributions);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"version":9,"kind":"enrich-sources","tenantId":5,"runId":"r","createdAt":"2026-11-20T00:00:00Z","sources":[]}""")]
    [InlineData("""{"version":1,"kind":"enrich-sources","tenantId":5,"runId":"r","createdAt":"2026-11-20T00:00:00Z","sources":[{"ip":"1.2.3.4"}]}""")]
    public async Task EnrichSources_MalformedMessage_GoesToThePoisonQueueAtOnceWithItsReason(string body)
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var queue = Queue(app, app.QueueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: Ct);
        await queue.SendMessageAsync(body, Ct);

        var message = (await queue.ReceiveMessageAsync(cancellationToken: Ct)).Value;
        await EnrichJob(app).HandleAsync(app.Services, message.Body.ToString(), Ct);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);

        // Base64 on the wire, like the host's own poison messages.
        var raw = (await new QueueClient(app.ConnectionString, app.QueueName + "-poison").PeekMessagesAsync(32, Ct)).Value;
        Assert.Equal(body, Encoding.UTF8.GetString(Convert.FromBase64String(Assert.Single(raw).Body.ToString())));
        Assert.Empty((await queue.PeekMessagesAsync(32, Ct)).Value);
        var log = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1301);
        Assert.Contains(app.QueueName + "-poison", log.Message, StringComparison.Ordinal);
        Assert.Null(await app.Get<IntelSnapshotStore>().GetLatestAsync(Ct));
    }

    [Fact]
    public async Task EnrichSources_CompressedBodyInflatingPastItsBound_IsPoisonedWithItsOriginalBytes()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal)) gzip.Write(new byte[8 * 1024 * 1024]);
        var body = buffer.ToArray();

        await EnrichJob(app).HandleAsync(app.Services, new BinaryData(body), Ct);

        var raw = (await new QueueClient(app.ConnectionString, app.QueueName + "-poison").PeekMessagesAsync(32, Ct)).Value;
        Assert.Equal(body, Convert.FromBase64String(Assert.Single(raw).Body.ToString()));
        Assert.Contains("inflates to more than", Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1301).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrichSources_Redelivered_WritesTheSameRowsAndLooksNothingUpAgain()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var tor = app.Simulator.Data.AllAddresses.First(a => a.Pool.Kind == IpPoolKind.Tor).Address;
        var cloud = app.Simulator.Data.AllAddresses.First(a => a.Pool.Kind == IpPoolKind.Cloud).Address;
        var bad = app.Simulator.Data.AllAddresses.First(a => a.Pool.Kind == IpPoolKind.Malicious).Address;
        var now = app.Clock.GetUtcNow();
        EnrichmentSource Source(string ip) => new()
        {
            Ip = ip,
            FirstSeen = now.AddHours(-2),
            LastSeen = now.AddHours(-1),
            Incidents = [new EnrichmentIncidentRef { Id = "attacks_production_5_202611_v_1:" + ip, Days = ["2026-11-19", "2026-11-20"] }],
        };
        await app.Get<EnrichmentPublisher>().SendAsync(5, "run-redelivery", now, [Source(tor), Source(cloud), Source(bad), Source("not-an-ip\u202e")], Ct);
        var message = (await Queue(app, app.QueueName).ReceiveMessageAsync(cancellationToken: Ct)).Value.Body;
        var store = app.Get<SourceProfileStore>();
        var days = new[] { new LocalDate(2026, 11, 19), new LocalDate(2026, 11, 20) };

        await EnrichJob(app).HandleAsync(app.Services, message, Ct);
        var first = await Task.WhenAll(days.Select(d => store.GetDayAsync(5, d, Ct)));
        await EnrichJob(app).HandleAsync(app.Services, message, Ct);
        var second = await Task.WhenAll(days.Select(d => store.GetDayAsync(5, d, Ct)));

        for (var i = 0; i < days.Length; i++)
        {
            Assert.Equal(new[] { bad, cloud, tor }.Order(StringComparer.Ordinal), first[i].Profiles.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(Json(first[i]), Json(second[i]));
            Assert.Equal(first[i].Attributions.Distinct().Count(), second[i].Attributions.Count);
        }

        Assert.Equal(SourceType.Tor, first[1].Profiles[tor].SourceType);
        Assert.True(first[1].Profiles[bad].IsMalicious);
        var enriched = app.Logs.GetSnapshot().Where(r => r.Id.Id == 1300).Select(r => r.Message).ToList();
        Assert.Equal(2, enriched.Count);
        Assert.Contains("0 from cache, 3 looked up", enriched[0], StringComparison.Ordinal);
        Assert.Contains("3 from cache, 0 looked up", enriched[1], StringComparison.Ordinal);
        var skipped = app.Logs.GetSnapshot().Where(r => r.Id.Id == 1302).ToList();
        Assert.Equal(2, skipped.Count);
        Assert.All(skipped, r => Assert.Contains("'not-an-ip?'", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnrichSources_IncidentWithABadReportDay_SkipsThatDayOnlyAndSaysSo()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var ip = app.Simulator.Data.AllAddresses.First(a => a.Pool.Kind == IpPoolKind.Cloud).Address;
        var now = app.Clock.GetUtcNow();
        var request = new EnrichmentRequest
        {
            TenantId = 5,
            RunId = "run-bad-day",
            CreatedAt = now,
            Sources = [new EnrichmentSource { Ip = ip, FirstSeen = now, LastSeen = now, Incidents = [new EnrichmentIncidentRef { Id = "a:b", Days = ["2026-11-20", "2026-13-45\u202e"] }] }],
        };

        var outcome = await app.Get<SourceEnricher>().HandleAsync(EnrichmentRequestSerializer.Serialize(request), Ct);

        Assert.Equal(EnrichmentOutcome.Enriched, outcome.Outcome);
        Assert.Equal([ip], (await app.Get<SourceProfileStore>().GetDayAsync(5, new LocalDate(2026, 11, 20), Ct)).Profiles.Keys);
        var skipped = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1303);
        Assert.Contains("'2026-13-45?'", skipped.Message, StringComparison.Ordinal);
        var poison = Queue(app, app.QueueName + "-poison");
        Assert.False(await poison.ExistsAsync(Ct) && (await poison.PeekMessagesAsync(cancellationToken: Ct)).Value.Length > 0);
    }

    [Fact]
    public async Task EnrichSources_CachedProfile_IsReusedWithinTheTtlAndLookedUpAgainAfter()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Enrichment:CacheTtl"] = "06:00:00", ["Enrichment:MemoryCacheSize"] = "0" });
        var ip = app.Simulator.Data.AllAddresses.First(a => a.Pool.Kind == IpPoolKind.Cloud).Address;
        var cache = app.Get<SourceProfileCache>();
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);

        var first = await cache.GetOrAddAsync([ip], index, Ct);
        app.Clock.Advance(TimeSpan.FromHours(5));
        var within = await cache.GetOrAddAsync([ip], index, Ct);
        app.Clock.Advance(TimeSpan.FromHours(2));
        var after = await cache.GetOrAddAsync([ip], index, Ct);

        Assert.Equal((0, 1), (first.FromCache, first.LookedUp));
        Assert.Equal((1, 0), (within.FromCache, within.LookedUp));
        Assert.Equal(first.Profiles[ip].Profile.EnrichedAt, within.Profiles[ip].Profile.EnrichedAt);
        Assert.Equal((0, 1), (after.FromCache, after.LookedUp));
        Assert.Equal(app.Clock.GetUtcNow(), after.Profiles[ip].Profile.EnrichedAt);
    }

    [Fact]
    public async Task EnrichSources_SnapshotUnreadable_ThrowsSoTheHostRetriesAndNothingIsPoisoned()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var snapshots = app.Get<IntelSnapshotStore>();
        await app.Get<IntelRefresher>().RunAsync(Ct);
        var latest = await snapshots.GetLatestAsync(Ct);
        var container = app.Get<StorageClients>().Blobs.GetBlobContainerClient(snapshots.ContainerName);
        await container.GetBlobClient(latest!.Blob).UploadAsync(BinaryData.FromString("corrupt"), overwrite: true, Ct);
        var request = new EnrichmentRequest
        {
            TenantId = 5,
            RunId = "run-transient",
            CreatedAt = app.Clock.GetUtcNow(),
            Sources = [new EnrichmentSource { Ip = "8.8.8.8", FirstSeen = app.Clock.GetUtcNow(), LastSeen = app.Clock.GetUtcNow(), Incidents = [new EnrichmentIncidentRef { Id = "a:b", Days = ["2026-11-20"] }] }],
        };

        await Assert.ThrowsAsync<InvalidDataException>(() => EnrichJob(app).HandleAsync(app.Services, EnrichmentRequestSerializer.Serialize(request), Ct));

        var poison = Queue(app, app.QueueName + "-poison");
        Assert.False(await poison.ExistsAsync(Ct) && (await poison.PeekMessagesAsync(cancellationToken: Ct)).Value.Length > 0);
    }

    private static string Json(SourceDay day)
        => JsonSerializer.Serialize(day.Profiles.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList()) + JsonSerializer.Serialize(day.Attributions);
}
