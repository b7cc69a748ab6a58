using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Integration)]
public sealed class SourceProfileCacheTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string?> SixHourTtl = new() { ["Enrichment:CacheTtl"] = "06:00:00" };

    /// <summary>Distinct random public IPv4 addresses; a few hundred cover the 64 partitions.</summary>
    private static List<string> Addresses(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => IpNumber.Format(IpNumber.FromV4((uint)random.Next(0x0B000000, 0x64000000)))).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>A cache of its own (empty memory, as another instance) whose table requests are counted.</summary>
    private static (SourceProfileCache Cache, RequestCounter Requests) Instance(AppHarness app, HttpPipelinePolicy? policy = null)
    {
        var requests = new RequestCounter();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(requests, HttpPipelinePosition.PerCall);
        if (policy is not null) tableOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
        var shared = app.Get<StorageClients>();
        var storage = new StorageClients(Options.Create(shared.Options), new TableServiceClient(app.ConnectionString, tableOptions), shared.Queues, shared.Blobs,
            app.Services.GetRequiredService<IAzureClientFactory<QueueServiceClient>>());
        return (new SourceProfileCache(storage, app.Get<IOptions<EnrichmentOptions>>(), app.Clock), requests);
    }

    private static async Task<Dictionary<string, CachedSource>> StoredAsync(AppHarness app, IEnumerable<string> ips)
    {
        var storage = app.Get<StorageClients>();
        var table = await storage.GetTableAsync(storage.Options.SourceCacheTable, Ct);
        var stored = new Dictionary<string, CachedSource>(StringComparer.Ordinal);
        foreach (var ip in ips)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(SourceProfileCache.PartitionKeyOf(ip), TableKeys.Escape(ip), cancellationToken: Ct);
            if (row.HasValue) stored[ip] = JsonSerializer.Deserialize(row.Value!.GetString("Entry"), SourceJsonContext.Default.CachedSource)!;
        }

        return stored;
    }

    private static int Partitions(IEnumerable<string> ips) => ips.Select(SourceProfileCache.PartitionKeyOf).Distinct(StringComparer.Ordinal).Count();

    private static string Json(CachedSource source) => JsonSerializer.Serialize(source, SourceJsonContext.Default.CachedSource);

    [Fact]
    public async Task GetOrAddAsync_ManyAddressesCachedStoredStaleAndNew_ReturnsTheStoredFreshOnesAndLooksUpTheRest()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: SixHourTtl);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        var all = Addresses(400, 7);
        var stale = all[..60];
        var fresh = all[60..140];
        var inMemory = all[140..200];
        var unseen = all[200..];
        var writer = app.Get<SourceProfileCache>();

        var staleAt = app.Clock.GetUtcNow();
        await writer.GetOrAddAsync(stale, index, Ct);
        app.Clock.Advance(TimeSpan.FromHours(5));
        var freshAt = app.Clock.GetUtcNow();
        var written = await writer.GetOrAddAsync(fresh, index, Ct);
        app.Clock.Advance(TimeSpan.FromHours(2));
        var (cache, _) = Instance(app);
        var memoryAt = app.Clock.GetUtcNow();
        var remembered = await cache.GetOrAddAsync(inMemory, index, Ct);
        Assert.True(cache.InsertsFirst, "every address so far was new, so the next call inserts first");
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var now = app.Clock.GetUtcNow();

        var result = await cache.GetOrAddAsync(all, index, Ct);

        Assert.Equal((fresh.Count + inMemory.Count, stale.Count + unseen.Count), (result.FromCache, result.LookedUp));
        Assert.Equal(all.Count, result.Profiles.Count);
        foreach (var ip in fresh) Assert.Equal(Json(written.Profiles[ip]), Json(result.Profiles[ip]));
        foreach (var ip in inMemory) Assert.Equal(Json(remembered.Profiles[ip]), Json(result.Profiles[ip]));
        foreach (var ip in stale.Concat(unseen)) Assert.Equal(Json(SourceProfiler.Profile(ip, index, now)), Json(result.Profiles[ip]));
        Assert.All(inMemory, ip => Assert.Equal(memoryAt, result.Profiles[ip].Profile.EnrichedAt));

        // What is stored: fresh rows untouched, stale ones replaced, new ones added; each the profile returned.
        var stored = await StoredAsync(app, all);
        Assert.Equal(all.Count, stored.Count);
        Assert.All(fresh, ip => Assert.Equal(freshAt, stored[ip].Profile.EnrichedAt));
        Assert.All(stale.Concat(unseen), ip => Assert.Equal(now, stored[ip].Profile.EnrichedAt));
        Assert.All(all, ip => Assert.Equal(Json(result.Profiles[ip]), Json(stored[ip])));
        Assert.NotEqual(staleAt, now);
    }

    [Fact]
    public async Task GetOrAddAsync_NewAddressesOnceTheTableRarelyHoldsThem_InsertsPerPartitionWithoutReading()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: SixHourTtl);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        var (cache, requests) = Instance(app);
        await cache.GetOrAddAsync(Addresses(50, 1), index, Ct);
        var message = Addresses(150, 2);
        var partitions = message.Select(SourceProfileCache.PartitionKeyOf).Distinct(StringComparer.Ordinal).Count();
        requests.Clear();

        var result = await cache.GetOrAddAsync(message, index, Ct);

        Assert.Equal((0, message.Count), (result.FromCache, result.LookedUp));
        Assert.Equal(0, requests.Count("GET"));
        Assert.Equal(partitions, requests.Count("batch"));
        Assert.Equal(message.Count, (await StoredAsync(app, message)).Count);
    }

    [Fact]
    public async Task GetOrAddAsync_NewInstanceFirstCallOfManyNewAddresses_ReadsOneRoundThenInsertsTheRest()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: SixHourTtl);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        var (cache, requests) = Instance(app);
        var message = Addresses(200, 6);

        var result = await cache.GetOrAddAsync(message, index, Ct);

        Assert.Equal((0, message.Count), (result.FromCache, result.LookedUp));
        Assert.Equal(16, requests.Count("GET"));
        // The round read is written as before (upserts per partition); the rest is inserted per partition.
        Assert.Equal(Partitions(message[..16]) + Partitions(message[16..]), requests.Count("batch"));
        Assert.True(cache.InsertsFirst);
        Assert.Equal(message.Count, (await StoredAsync(app, message)).Count);
    }

    [Fact]
    public async Task GetOrAddAsync_NewInstanceWhileTheTableHoldsTheAddresses_ReadsThemWithoutFailedInserts()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: SixHourTtl);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        var known = Addresses(120, 3);
        var written = await app.Get<SourceProfileCache>().GetOrAddAsync(known, index, Ct);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var (cache, requests) = Instance(app);

        var first = await cache.GetOrAddAsync(known[..60], index, Ct);
        var readsOnly = (requests.Count("GET"), requests.Count("batch"));
        var second = await cache.GetOrAddAsync(known[60..], index, Ct);

        Assert.Equal((60, 0), readsOnly);
        Assert.False(cache.InsertsFirst);
        Assert.Equal((60, 0), (first.FromCache, first.LookedUp));
        Assert.Equal((60, 0), (second.FromCache, second.LookedUp));
        Assert.Equal((120, 0), (requests.Count("GET"), requests.Count("batch")));
        Assert.All(known, ip => Assert.Equal(Json(written.Profiles[ip]), Json((first.Profiles.GetValueOrDefault(ip) ?? second.Profiles[ip]))));
    }

    [Fact]
    public async Task GetOrAddAsync_InsertingFirstIntoATableThatHoldsMostAddresses_UsesTheStoredRowsAndGoesBackToReading()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: SixHourTtl);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        var known = Addresses(200, 4);
        var written = await app.Get<SourceProfileCache>().GetOrAddAsync(known, index, Ct);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var (cache, requests) = Instance(app);
        await cache.GetOrAddAsync(Addresses(20, 5), index, Ct);
        Assert.True(cache.InsertsFirst);

        var result = await cache.GetOrAddAsync(known, index, Ct);

        Assert.Equal((known.Count, 0), (result.FromCache, result.LookedUp));
        Assert.All(known, ip => Assert.Equal(Json(written.Profiles[ip]), Json(result.Profiles[ip])));
        Assert.False(cache.InsertsFirst);
        Assert.All((await StoredAsync(app, known)).Values, s => Assert.Equal(written.Profiles[s.Profile.Ip].Profile.EnrichedAt, s.Profile.EnrichedAt));
    }

    [Fact]
    public async Task GetOrAddAsync_AddressesAnotherCallIsResolving_AreAwaitedNotReadOrWrittenAgain()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: SixHourTtl);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        var gate = new GatePolicy();
        var (cache, requests) = Instance(app, gate);
        var shared = Addresses(10, 8);
        gate.Open(); // the table's creation
        await cache.GetOrAddAsync(Addresses(1, 9), index, Ct);
        gate.Close();
        requests.Clear();

        var first = cache.GetOrAddAsync(shared, index, Ct);
        await gate.Arrived.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var second = cache.GetOrAddAsync(shared, index, Ct);
        gate.Open();
        var (a, b) = (await first, await second);

        Assert.Equal((0, shared.Count), (a.FromCache, a.LookedUp));
        Assert.Equal((shared.Count, 0), (b.FromCache, b.LookedUp));
        Assert.All(shared, ip => Assert.Equal(Json(a.Profiles[ip]), Json(b.Profiles[ip])));
        // Only the first call's inserts: no second insert of the same rows, no failed transaction, no reads after it.
        Assert.Equal((0, Partitions(shared)), (requests.Count("GET"), requests.Count("batch")));
    }

    /// <summary>Counts requests: "GET" (point reads), "batch" (entity-group transactions).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int Count(string method) => _counts.GetValueOrDefault(method);

        public void Clear() => _counts.Clear();

        public override void OnSendingRequest(HttpMessage message)
        {
            var kind = message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) ? "batch" : message.Request.Method.Method;
            _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        }
    }

    /// <summary>Holds requests while closed; <see cref="Arrived"/> completes when one is held.</summary>
    private sealed class GatePolicy : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Arrived => _arrived.Task;

        public void Open() => _open.TrySetResult();

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var open = _open.Task;
            if (!open.IsCompleted) _arrived.TrySetResult();
            await open.ConfigureAwait(false);
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException("async only");
    }
}
