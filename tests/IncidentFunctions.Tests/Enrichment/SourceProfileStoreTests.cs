using IncidentFunctions.Enrichment;
using IncidentFunctions.Tests.Infrastructure;
using NodaTime;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Integration)]
public sealed class SourceProfileStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task GetDayAsync_AfterUpsert_ReturnsTheDaysProfilesAndAttributionsOnly()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var store = app.Get<SourceProfileStore>();
        var day = new LocalDate(2026, 11, 20);
        var tor = new SourceProfile
        {
            Ip = "185.220.101.4",
            CountryCode = "DE",
            SourceType = SourceType.Tor,
            Provenance = [new Provenance("sourceType", "tor-exit-list", "2026-11-20T06:00:00Z", new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero))],
        };
        var cloud = new SourceProfile { Ip = "2600:1f18::1", SourceType = SourceType.CloudPlatform, CloudProvider = "AWS", MaliciousLists = ["firehol_level1"] };

        await store.UpsertAsync(5, day, [tor, cloud], ["IP data by ip-location-db (CC BY 4.0)"], TestContext.Current.CancellationToken);
        await store.UpsertAsync(5, day.PlusDays(1), [new SourceProfile { Ip = "10.0.0.1", SourceType = SourceType.Private }], [], TestContext.Current.CancellationToken);

        var result = await store.GetDayAsync(5, day, TestContext.Current.CancellationToken);
        Assert.Equal(["185.220.101.4", "2600:1f18::1"], result.Profiles.Keys.Order());
        Assert.Equal(SourceType.Tor, result.Profiles["185.220.101.4"].SourceType);
        Assert.Equal("tor-exit-list", result.Profiles["185.220.101.4"].Provenance[0].Source);
        Assert.True(result.Profiles["2600:1f18::1"].IsMalicious);
        Assert.Equal(["IP data by ip-location-db (CC BY 4.0)"], result.Attributions);
    }

    [Fact]
    public async Task GetDayAsync_MaxRows_ReadsAtMostThatManyRows()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var store = app.Get<SourceProfileStore>();
        var day = new LocalDate(2026, 11, 20);
        var profiles = Enumerable.Range(1, 7).Select(n => new SourceProfile { Ip = $"198.51.100.{n}", SourceType = SourceType.Unknown }).ToList();
        await store.UpsertAsync(5, day, profiles, [], TestContext.Current.CancellationToken);

        var three = await store.GetDayAsync(5, day, static p => p, 3, TestContext.Current.CancellationToken);
        var all = await store.GetDayAsync(5, day, static p => p, 100, TestContext.Current.CancellationToken);

        Assert.Equal(3, three.Profiles.Count);
        Assert.Equal(7, all.Profiles.Count);
    }

    [Fact]
    public async Task GetDayAsync_BrokenAndNullListRows_SkipsTheUnreadableAndReadsTheRest()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var store = app.Get<SourceProfileStore>();
        var storage = app.Get<IncidentFunctions.Storage.StorageClients>();
        var day = new LocalDate(2026, 11, 21);
        var table = await storage.GetTableAsync(storage.Options.SourcesTable, TestContext.Current.CancellationToken);
        var partition = IncidentFunctions.Calendar.DayPartition.Key(5, day);
        // A newer or broken writer's rows: not JSON, no address, and lists written as null.
        foreach (var (ip, json) in new[]
        {
            ("198.51.100.1", "{\"ip\":\"198.51.100.1\",\"sourceType\":\"Tor\",\"maliciousLists\":[\"ipsum\"]}"),
            ("198.51.100.2", "not json {"),
            ("198.51.100.3", "{\"sourceType\":\"Vpn\"}"),
            ("198.51.100.4", "{\"ip\":\"198.51.100.4\",\"sourceType\":\"Vpn\",\"maliciousLists\":null,\"provenance\":null}"),
        })
        {
            await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity(partition, ip) { ["Profile"] = json }, cancellationToken: TestContext.Current.CancellationToken);
        }

        var full = await store.GetDayAsync(5, day, TestContext.Current.CancellationToken);
        var cut = await store.GetDayAsync(5, day, IncidentFunctions.Reports.DailyReportBuilder.ForShares, TestContext.Current.CancellationToken);

        foreach (var result in new[] { full, cut })
        {
            Assert.Equal(["198.51.100.1", "198.51.100.4"], result.Profiles.Keys.Order(StringComparer.Ordinal));
            Assert.True(result.Profiles["198.51.100.1"].IsMalicious);
            Assert.False(result.Profiles["198.51.100.4"].IsMalicious);
            Assert.Empty(result.Profiles["198.51.100.4"].Provenance);
        }
    }
}
