using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;

namespace IncidentFunctions.Tests.Incidents;

/// <summary>
/// Whatever Wallarm's <c>time</c> filter matches (span overlap or first hit), and while records move during paging,
/// ingestion keeps every incident current and loses none.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class TimeFilterTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<IncidentEntity>> AllRowsAsync(AppHarness app)
    {
        var table = new TableServiceClient(app.ConnectionString).GetTableClient(app.TablePrefix + "incidents");
        return await table.QueryAsync<IncidentEntity>(cancellationToken: Ct).ToListAsync(Ct);
    }

    /// <summary>Pulls at noon, then every two hours until 04:00 the next day (across midnight), with the filter set to <paramref name="meaning"/>.</summary>
    private static async Task<AppHarness> PullAcrossMidnightAsync(AzuriteFixture azurite, TimeFilterMeaning meaning, string horizon = "06:00:00")
    {
        var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 400, new Dictionary<string, string?> { ["Ingestion:OngoingHorizon"] = horizon });
        app.Simulator.State.TimeFilter = meaning;
        await app.PullAsync(Ct);
        for (var i = 0; i < 8; i++)
        {
            app.Clock.Advance(TimeSpan.FromHours(2));
            await app.PullAsync(Ct);
        }

        return app;
    }

    /// <summary>Incidents that started in the first pull's day (so either meaning returns them) and were still getting hits after it.</summary>
    private static List<SimAttack> LongRunning(AppHarness app, long firstPull)
        => app.Simulator.Data.IncidentsIn(firstPull - 86_400, firstPull, firstPull).Where(a => a.FirstTime >= firstPull - 86_400 && a.IsOngoingAt(firstPull + 1800)).ToList();

    [Theory]
    [InlineData(TimeFilterMeaning.Overlap)]
    [InlineData(TimeFilterMeaning.FirstHit)]
    public async Task RunAsync_EitherMeaningOfTheTimeFilter_KeepsHitsLastHitAndDayRowsOfLongRunningIncidentsCurrent(TimeFilterMeaning meaning)
    {
        var firstPull = ManualClock.DefaultStart.ToUnixTimeSeconds();
        await using var app = await PullAcrossMidnightAsync(azurite, meaning);
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var calendar = new ReportCalendar("UTC");

        var longRunning = LongRunning(app, firstPull);
        Assert.True(longRunning.Count >= 5, $"only {longRunning.Count} long-running incidents");
        Assert.Contains(longRunning, a => a.LastTimeAt(now) > new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        var rows = (await AllRowsAsync(app)).ToLookup(r => r.IncidentId);
        foreach (var attack in longRunning)
        {
            var stored = rows[attack.AttackId].ToList();
            var days = calendar.DaysSpanned(DateTimeOffset.FromUnixTimeSeconds(attack.FirstTime), DateTimeOffset.FromUnixTimeSeconds(attack.LastTimeAt(now))).Select(ReportCalendar.IsoDay).ToList();
            Assert.Equal(days, stored.Select(r => r.Day).Order());
            Assert.All(stored, r =>
            {
                Assert.Equal(attack.LastTimeAt(now), r.LastSeen.ToUnixTimeSeconds());
                Assert.Equal(attack.HitsAt(now), r.Hits);
            });
        }

        var expectedName = meaning == TimeFilterMeaning.FirstHit ? TimeFilterMatch.FirstHit : TimeFilterMatch.Overlap;
        Assert.Equal(expectedName, (await app.Get<CheckpointStore>().GetAsync(5, Ct))!.TimeFilter);
        // Logged once, when first seen, not on every run.
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1214);
    }

    [Fact]
    public async Task RunAsync_FirstHitFilterWithoutTheReread_LeavesLongRunningIncidentsStale()
    {
        // The control for the test above: without re-reading by id, a first-hit filter freezes what was first pulled.
        var firstPull = ManualClock.DefaultStart.ToUnixTimeSeconds();
        await using var app = await PullAcrossMidnightAsync(azurite, TimeFilterMeaning.FirstHit, horizon: "00:00:00");
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();

        var rows = (await AllRowsAsync(app)).ToLookup(r => r.IncidentId);
        var stale = LongRunning(app, firstPull).Count(a => rows[a.AttackId].Max(r => r.LastSeen).ToUnixTimeSeconds() < a.LastTimeAt(now));
        Assert.True(stale > 0, "every long-running incident was current without the re-read; the test above proves nothing");
    }

    [Theory]
    [InlineData(TimeFilterMeaning.Overlap)]
    [InlineData(TimeFilterMeaning.FirstHit)]
    public async Task RunAsync_DataMovingDuringPaging_LosesNothing(TimeFilterMeaning meaning)
    {
        await using var app = await StartMovingAsync(azurite, meaning);
        var to = app.Clock.GetUtcNow().ToUnixTimeSeconds();

        var result = await app.PullAsync(Ct);

        var simNow = app.Simulator.State.NowUnix;
        Assert.True(simNow - to >= 10 * 30, $"the data moved only {simNow - to} s");
        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        var expected = app.Simulator.Data.IncidentsIn(to - 6 * 3600, to, simNow, meaning).Select(a => a.AttackId).ToHashSet();
        Assert.Equal(expected, (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
        Assert.Equal(app.Clock.GetUtcNow(), (await app.Get<CheckpointStore>().GetAsync(5, Ct))!.PulledUntil);
    }

    [Theory]
    [InlineData(TimeFilterMeaning.Overlap)]
    [InlineData(TimeFilterMeaning.FirstHit)]
    public async Task GetIncidentPagesAsync_DataMovingDuringPaging_OnePassMissesRecords(TimeFilterMeaning meaning)
    {
        // The control for the test above: the simulator's moving data does make a single pass lose records, which is
        // what the count after paging catches.
        await using var app = await StartMovingAsync(azurite, meaning);
        var window = new TimeWindow(app.Clock.GetUtcNow().AddHours(-6), app.Clock.GetUtcNow());

        var read = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in app.Get<WallarmClient>().GetIncidentPagesAsync(5, window, Ct)) read.UnionWith(page.Attacks.Select(a => a.Id));

        var expected = app.Simulator.Data.IncidentsIn(window.From.ToUnixTimeSeconds(), window.To.ToUnixTimeSeconds(), app.Simulator.State.NowUnix, meaning).Select(a => a.AttackId);
        Assert.NotEmpty(expected.Except(read));
    }

    private static async Task<AppHarness> StartMovingAsync(AzuriteFixture azurite, TimeFilterMeaning meaning)
    {
        var app = await AppHarness.StartAsync(azurite, s =>
        {
            s.IncidentsPerDay = 1200;
            s.MaxArrivalDelay = TimeSpan.FromMinutes(15);
            s.DriftPerRequest = TimeSpan.FromSeconds(30);
            s.TimeFilter = meaning;
        }, new Dictionary<string, string?> { ["Wallarm:PageSize"] = "20", ["Ingestion:InitialLookback"] = "06:00:00" });
        return app;
    }
}
