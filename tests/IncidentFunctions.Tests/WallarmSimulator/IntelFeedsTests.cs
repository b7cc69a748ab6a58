using System.Net;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.WallarmSimulator;

namespace IncidentFunctions.Tests.WallarmSimulator;

[Trait("Category", TestCategories.Unit)]
public sealed class IntelFeedsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SimulatorFeeds_EveryPresetSource_ParsesWithEntries()
    {
        await using var sim = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient();
        var presets = IntelSourcePresets.SimulatorFeeds(sim.BaseAddress);

        Assert.Equal(IntelFeeds.Paths.Order(StringComparer.Ordinal), presets.Select(p => sim.BaseAddress.MakeRelativeUri(p.Url!).ToString()).Order(StringComparer.Ordinal));
        foreach (var source in presets)
        {
            var body = await http.GetByteArrayAsync(source.Url, Ct);
            var content = IntelParsers.Parse(source.Type, body, new IntelParseContext(DateTimeOffset.UtcNow, source.Provider, source.Category));
            Assert.True(content.Entries > 0, source.Name);
            Assert.Equal(0, content.InvalidEntries);
        }
    }

    [Fact]
    public async Task SimulatorFeeds_AsAnIndex_AgreeWithThePoolsTheIncidentsUse()
    {
        var options = new SimulatorOptions();
        await using var sim = await WallarmSimulatorHost.StartAsync(options, cancellationToken: Ct);
        using var http = new HttpClient();
        var now = DateTimeOffset.UtcNow;
        var sources = new List<IntelSourceData>();
        foreach (var source in IntelSourcePresets.SimulatorFeeds(sim.BaseAddress))
        {
            var content = IntelParsers.Parse(source.Type, await http.GetByteArrayAsync(source.Url, Ct), new IntelParseContext(now, source.Provider, source.Category));
            sources.Add(new IntelSourceData(new IntelSourceInfo { Name = source.Name, Type = source.Type, Location = source.Url!.AbsoluteUri, Category = source.Category, FetchedAt = now, Entries = content.Entries }, content));
        }

        var index = IntelIndex.Build(new IntelSnapshot("sim", now, sources));

        foreach (var (pool, address) in sim.Data.AllAddresses)
        {
            var profile = SourceProfiler.Judge(SourceProfiler.Profile(address, index, now), now, now, TimeSpan.FromHours(1));
            var expected = pool.Kind switch
            {
                IpPoolKind.Tor => SourceType.Tor,
                IpPoolKind.Cloud => SourceType.CloudPlatform,
                IpPoolKind.Private => SourceType.Private,
                IpPoolKind.Vpn => SourceType.Vpn,
                IpPoolKind.Proxy => SourceType.PublicProxy,
                // Datacenter, malicious and residential pools are in no type list: only ASN data tells those apart.
                _ => SourceType.Unknown,
            };
            Assert.True(expected == profile.SourceType, $"{address} ({pool.Name}) is {profile.SourceType}, expected {expected}");
            Assert.Equal(pool.Kind == IpPoolKind.Malicious, profile.IsMalicious);
            if (pool.Kind == IpPoolKind.Cloud) Assert.Equal((pool.Provider, pool.Provider == "DigitalOcean" ? "Frankfurt" : pool.Region), (profile.CloudProvider, profile.CloudRegion));
        }
    }

    [Fact]
    public async Task SimulatorFeeds_UnknownFeed_IsNotFound()
    {
        await using var sim = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri(sim.BaseAddress, "intel/tor/no-such-list"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(IntelFeeds.Render(new SimulatorState(new SimulatorOptions(), TimeProvider.System), "intel/tor/no-such-list"));
    }

    [Fact]
    public async Task SimulatorFeeds_ConditionalRequest_Answers304()
    {
        await using var sim = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        var downloader = new IntelDownloader(new HttpClient());
        var url = new Uri(sim.BaseAddress, IntelSourcePresets.SimulatorPaths.Aws);

        var first = await downloader.GetAsync(url, null, null, 1 << 20, Ct);
        var byTag = await downloader.GetAsync(url, first.ETag, null, 1 << 20, Ct);
        var byDate = await downloader.GetAsync(url, null, first.LastModified, 1 << 20, Ct);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(byTag.NotModified);
        Assert.True(byDate.NotModified);
        Assert.Equal(3, sim.Requests.For("/" + IntelSourcePresets.SimulatorPaths.Aws).Count);
    }
}
