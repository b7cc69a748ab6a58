using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using NodaTime;

namespace IncidentFunctions.Tests.Storage;

/// <summary>The per-day change marks and the writers that bump them, against real Azurite.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class DayChangeMarksTests(AzuriteFixture azurite)
{
    private const long Tenant = 515;
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate Monday = new(2026, 11, 23);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<AppHarness> StartAsync() => AppHarness.StartAsync(azurite, Tenant, Now);

    private static Task<IReadOnlyDictionary<LocalDate, string>> ReadAsync(AppHarness app)
        => app.Get<DayChangeMarks>().GetAsync(Tenant, Monday, Monday.PlusDays(6), [], Ct);

    [Fact]
    public async Task GetAsync_MissingMarks_AreCreatedOnlyForTheDaysAskedForAndThenStable()
    {
        await using var app = await StartAsync();
        var marks = app.Get<DayChangeMarks>();

        var first = await marks.GetAsync(Tenant, Monday, Monday.PlusDays(6), [Monday, Monday.PlusDays(2)], Ct);
        var again = await ReadAsync(app);

        Assert.Equal([Monday, Monday.PlusDays(2)], first.Keys.Order());
        Assert.Equal(first.OrderBy(m => m.Key), again.OrderBy(m => m.Key));
    }

    [Fact]
    public async Task GetAsync_ManyMissingMarks_AreCreatedInTransactionsAndOneThatExistsIsReadBack()
    {
        await using var app = await StartAsync();
        var marks = app.Get<DayChangeMarks>();
        var first = Monday.PlusDays(-150);
        var days = Enumerable.Range(0, 151).Select(first.PlusDays).ToList();
        // Outside the range read first, so the creation meets a mark a writer already put there.
        var written = Monday.PlusDays(10);
        await marks.BumpAsync(Tenant, [written], Ct);
        var stored = (await marks.GetAsync(Tenant, written, written, [], Ct))[written];

        var created = await marks.GetAsync(Tenant, first, Monday, [.. days, written], Ct);
        var again = await marks.GetAsync(Tenant, first, Monday, [], Ct);

        Assert.Equal(152, created.Count);
        Assert.Equal(stored, created[written]);
        Assert.Equal(days, again.Keys.Order());
        Assert.All(days, d => Assert.Equal(created[d], again[d]));
    }

    [Fact]
    public async Task BumpAsync_ChangesTheMarksOfTheDaysGivenOnly()
    {
        await using var app = await StartAsync();
        var marks = app.Get<DayChangeMarks>();
        var before = await marks.GetAsync(Tenant, Monday, Monday.PlusDays(6), [Monday, Monday.PlusDays(1)], Ct);

        await marks.BumpAsync(Tenant, [Monday.PlusDays(1), Monday.PlusDays(1)], Ct);
        var after = await ReadAsync(app);

        Assert.Equal(before[Monday], after[Monday]);
        Assert.NotEqual(before[Monday.PlusDays(1)], after[Monday.PlusDays(1)]);
    }

    [Fact]
    public async Task IncidentStoreUpsert_BumpsEachDayItWroteAfterwards()
    {
        await using var app = await StartAsync();
        var marks = app.Get<DayChangeMarks>();
        var before = await marks.GetAsync(Tenant, Monday, Monday.PlusDays(6), [Monday, Monday.PlusDays(1), Monday.PlusDays(2)], Ct);
        Incident Across(string id) => new()
        {
            TenantId = Tenant,
            Id = id,
            FirstSeen = new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.Zero),
            LastSeen = new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero), // Monday and Tuesday (UTC report zone)
            AttackType = "xss",
            Hits = 3,
            VulnerabilityId = 11,
        };

        await app.Get<IncidentStore>().UpsertAsync([Across("a:1"), Across("a:2")], Now, Ct);
        var after = await ReadAsync(app);

        Assert.NotEqual(before[Monday], after[Monday]);
        Assert.NotEqual(before[Monday.PlusDays(1)], after[Monday.PlusDays(1)]);
        Assert.Equal(before[Monday.PlusDays(2)], after[Monday.PlusDays(2)]);
    }

    [Fact]
    public async Task SourceProfileStoreUpsert_BumpsItsDay()
    {
        await using var app = await StartAsync();
        var marks = app.Get<DayChangeMarks>();
        var before = await marks.GetAsync(Tenant, Monday, Monday.PlusDays(6), [Monday, Monday.PlusDays(1)], Ct);

        await app.Get<SourceProfileStore>().UpsertAsync(Tenant, Monday.PlusDays(1), [new SourceProfile { Ip = "198.51.100.7", CountryCode = "DE" }], ["test data"], Ct);
        var after = await ReadAsync(app);

        Assert.Equal(before[Monday], after[Monday]);
        Assert.NotEqual(before[Monday.PlusDays(1)], after[Monday.PlusDays(1)]);
    }
}
