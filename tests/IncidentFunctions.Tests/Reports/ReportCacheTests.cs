using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>What a stored report's revision follows, against real Azurite.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportCacheTests(AzuriteFixture azurite)
{
    private const long Tenant = 616;
    private const string Settings = "settings";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate Day = new(2026, 11, 18);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<AppHarness> StartAsync() => AppHarness.StartAsync(azurite, Tenant, Now);

    [Fact]
    public async Task ComputeRevisionAsync_Day_ChangesWithTheWritesOfTheDayAndTheDayBeforeOnly()
    {
        await using var app = await StartAsync();
        var cache = app.Get<ReportCache>();
        var marks = app.Get<DayChangeMarks>();
        Task<string> RevisionAsync() => cache.ComputeRevisionAsync(Tenant, Day, Settings, Ct);

        var first = await RevisionAsync();
        Assert.Equal(first, await RevisionAsync());

        // Days the report does not read.
        await marks.BumpAsync(Tenant, [Day.PlusDays(1), Day.PlusDays(-2)], Ct);
        Assert.Equal(first, await RevisionAsync());

        // Enrichment of the day, ingestion of the day before, a pull window over the day, other settings.
        await app.Get<SourceProfileStore>().UpsertAsync(Tenant, Day, [new SourceProfile { Ip = "198.51.100.7", CountryCode = "NL" }], [], Ct);
        var enriched = await RevisionAsync();
        Assert.NotEqual(first, enriched);
        await app.Get<IncidentStore>().UpsertAsync([TestIncidents.Sqli(Tenant, "late:1", new DateTimeOffset(2026, 11, 17, 10, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5))], Now, Ct);
        var dayBefore = await RevisionAsync();
        Assert.NotEqual(enriched, dayBefore);
        var window = app.Get<ReportCalendar>().WindowOf(Day);
        await app.Get<CoverageLog>().RecordAsync(Tenant, new TimeWindow(window.From, window.From.AddHours(1)), "run", 0, 0, Now, Ct);
        var covered = await RevisionAsync();
        Assert.NotEqual(dayBefore, covered);
        Assert.NotEqual(covered, await cache.ComputeRevisionAsync(Tenant, Day, "other settings", Ct));
        Assert.Equal(covered, await RevisionAsync());
    }

    [Fact]
    public async Task ComputeRevisionAsync_Period_ChangesWithAMarkOfItsDaysOrThePreviousPeriodsOnly()
    {
        await using var app = await StartAsync();
        var cache = app.Get<ReportCache>();
        var marks = app.Get<DayChangeMarks>();
        var week = ReportPeriod.WeekOf(Day);
        Task<string> RevisionAsync() => cache.ComputeRevisionAsync(Tenant, week, Settings, Ct);

        var first = await RevisionAsync();
        Assert.Equal(first, await RevisionAsync());

        await marks.BumpAsync(Tenant, [week.Last.PlusDays(1), week.Previous().First.PlusDays(-1)], Ct);
        Assert.Equal(first, await RevisionAsync());
        await marks.BumpAsync(Tenant, [week.Previous().First], Ct);
        var previous = await RevisionAsync();
        Assert.NotEqual(first, previous);
        await marks.BumpAsync(Tenant, [week.Last], Ct);
        Assert.NotEqual(previous, await RevisionAsync());
    }

    [Fact]
    public async Task WarmUpUploadAsync_StoredReportBeside_LeavesOnlyTheReport()
    {
        await using var app = await AppHarness.StartAsync(azurite, Tenant, Now, new Dictionary<string, string?>
        {
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
        });
        var cache = app.Get<ReportCache>();
        var storage = app.Get<StorageClients>();
        await cache.PutAsync(Tenant, Day, "%PDF-1.7"u8.ToArray(), "rev", Now, 1, null, Ct);

        await cache.WarmUpUploadAsync(Ct);

        var names = new List<string>();
        await foreach (var blob in storage.Blobs.GetBlobContainerClient(storage.Options.ReportsContainer).GetBlobsAsync(cancellationToken: Ct)) names.Add(blob.Name);
        Assert.Equal([ReportCache.BlobNameFor(Tenant, Day)], names);
    }

    [Fact]
    public async Task GetOrCreateWithContentAsync_StaleAfterChanged_DayAndWeekAreDrawnAgain()
    {
        await using var app = await AppHarness.StartAsync(azurite, Tenant, Now, new Dictionary<string, string?>
        {
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
            ["Reports:CacheRevalidateAfter"] = "00:00:00",
        });
        var (daily, weekly) = (app.Get<DailyReportService>(), app.Get<PeriodReportService>());
        var week = ReportPeriod.WeekOf(Day);
        var before = new[] { await daily.GetOrCreateWithContentAsync(Day, Ct), await weekly.GetOrCreateWithContentAsync(week, Ct) };
        var unchanged = new[] { await daily.GetOrCreateWithContentAsync(Day, Ct), await weekly.GetOrCreateWithContentAsync(week, Ct) };

        // As a restart with Enrichment:StaleAfter changed would see it: the warning the reports print depends on it.
        app.Get<Microsoft.Extensions.Options.IOptions<EnrichmentOptions>>().Value.StaleAfter = TimeSpan.FromDays(7);
        var after = new[] { await daily.GetOrCreateWithContentAsync(Day, Ct), await weekly.GetOrCreateWithContentAsync(week, Ct) };

        Assert.All(unchanged, u => Assert.Null(u.Generated));
        foreach (var (old, now) in before.Zip(after))
        {
            Assert.NotNull(now.Generated);
            Assert.NotEqual(old.File.Revision, now.File.Revision);
        }
    }
}
