using System.Globalization;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Retention;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentFunctions.Tests.Retention;

/// <summary>
/// The job that deletes what is past retention, against real Azurite: table rows of days before the data cutoff,
/// stored reports and CSV snapshots of periods starting before the report cutoff, and nothing else: not the days at
/// the cutoffs, not another tenant's keys, not a name it cannot read.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class RetentionJobTests(AzuriteFixture azurite)
{
    /// <summary>2026-11-25 09:00 UTC. With the default 90 days, reports start on 2026-08-27 and rows on 2026-07-27.</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate ReportCutoff = new(2026, 8, 27);
    private static readonly LocalDate DataCutoff = new(2026, 7, 27);

    private readonly long _tenant = Random.Shared.NextInt64(1_000_000, int.MaxValue / 10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<AppHarness> StartAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Wallarm:ClientId"] = _tenant.ToString(CultureInfo.InvariantCulture);
        return AppHarness.StartAsync(azurite, o => { o.ClientId = _tenant; o.HostileTextShare = 0; }, settings, new ManualClock(Now));
    }

    /// <summary>A host whose table requests pass <paramref name="connection"/>, with quick retries.</summary>
    private Task<AppHarness> StartWithTablesThroughAsync(RefusedConnection connection)
        => AppHarness.StartAsync(azurite, o => { o.ClientId = _tenant; o.HostileTextShare = 0; },
            new Dictionary<string, string?> { ["Wallarm:ClientId"] = _tenant.ToString(CultureInfo.InvariantCulture) }, new ManualClock(Now),
            services => services.Configure<TableClientOptions>("Default", o => connection.Install(o)));

    private static async Task<RetentionRunResult> RunJobAsync(AppHarness app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(Ct);
    }

    private static DateTimeOffset At(LocalDate day, int hour) => new(day.Year, day.Month, day.Day, hour, 0, 0, TimeSpan.Zero);

    private static Task<int> SeedIncidentsAsync(AppHarness app, long tenant, LocalDate day, int count)
        => app.Get<IncidentStore>().UpsertAsync(
            [.. Enumerable.Range(0, count).Select(i => TestIncidents.Sqli(tenant, $"{ReportCalendar.DayKey(day)}:{i}", At(day, 1 + i), TimeSpan.FromMinutes(5), 5, $"203.0.113.{10 + i}", "/api/orders"))],
            Now,
            Ct);

    private static async Task<TableClient> TableAsync(AppHarness app, Func<StorageOptions, string> name)
    {
        var storage = app.Get<StorageClients>();
        return await storage.GetTableAsync(name(storage.Options), Ct);
    }

    private static async Task<int> CountAsync(TableClient table, string filter)
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: Ct)) n++;
        return n;
    }

    private static async Task<BlobContainerClient> ReportsAsync(AppHarness app)
    {
        var storage = app.Get<StorageClients>();
        return await storage.GetContainerAsync(storage.Options.ReportsContainer, Ct);
    }

    private static async Task PutBlobsAsync(BlobContainerClient container, IEnumerable<string> names)
    {
        foreach (var name in names) await container.UploadBlobAsync(name, BinaryData.FromString("x"), Ct);
    }

    private static ReportPeriod Week(int year, int week)
        => Assert.IsType<ReportPeriod>(ReportPeriod.TryParse(PeriodKind.Week, string.Create(CultureInfo.InvariantCulture, $"{year}-W{week:D2}"), out var p) ? p : null);

    private static ReportPeriod Month(int year, int month)
        => Assert.IsType<ReportPeriod>(ReportPeriod.TryParse(PeriodKind.Month, string.Create(CultureInfo.InvariantCulture, $"{year}-{month:D2}"), out var p) ? p : null);

    [Fact]
    public async Task RunAsync_StoredDaysPastRetention_AreDeletedAndTheDaysAtTheCutoffsKept()
    {
        await using var app = await StartAsync();
        var expired = DataCutoff.PlusDays(-1);
        await SeedIncidentsAsync(app, _tenant, expired, 3);
        await SeedIncidentsAsync(app, _tenant, DataCutoff, 2);
        await SeedIncidentsAsync(app, _tenant, ReportCutoff.PlusDays(-1), 1);
        var sources = await TableAsync(app, o => o.SourcesTable);
        var coverage = await TableAsync(app, o => o.CoverageTable);
        foreach (var (day, rows) in new[] { (expired, 2), (DataCutoff, 1) })
        {
            for (var i = 0; i < rows; i++) await sources.AddEntityAsync(new TableEntity(DayPartition.Key(_tenant, day), $"198.51.100.{i}"), Ct);
            await coverage.AddEntityAsync(new TableEntity(DayPartition.Key(_tenant, day), "window"), Ct);
        }

        var container = await ReportsAsync(app);
        string[] gone =
        [
            ReportCache.BlobNameFor(_tenant, ReportCutoff.PlusDays(-1)),
            CsvSnapshotStore.BlobNameFor(_tenant, ReportCutoff.PlusDays(-1)),
            ReportCache.BlobNameFor(_tenant, Week(2026, 34)),
            ReportCache.BlobNameFor(_tenant, Week(2026, 35)), // 24–30 August: starts before the cutoff, so no longer served
            ReportCache.BlobNameFor(_tenant, Month(2026, 8)),
        ];
        string[] kept =
        [
            ReportCache.BlobNameFor(_tenant, ReportCutoff),
            CsvSnapshotStore.BlobNameFor(_tenant, ReportCutoff),
            ReportCache.BlobNameFor(_tenant, Week(2026, 36)),
            ReportCache.BlobNameFor(_tenant, Month(2026, 9)),
        ];
        await PutBlobsAsync(container, gone.Concat(kept));

        var run = await RunJobAsync(app);

        // Rows: three incidents, two sources, one coverage window and the expired day's change mark.
        Assert.Equal(new RetentionRunResult(DataCutoff, ReportCutoff, RowsDeleted: 3 + 2 + 1 + 1, BlobsDeleted: gone.Length, CacheRowsDeleted: 0, Skipped: 0, Failed: 0), run);
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        Assert.Equal(0, await CountAsync(incidents, TableKeys.PartitionFilter(DayPartition.Key(_tenant, expired))));
        Assert.Equal(2, await CountAsync(incidents, TableKeys.PartitionFilter(DayPartition.Key(_tenant, DataCutoff))));
        Assert.Equal(1, await CountAsync(incidents, TableKeys.PartitionFilter(DayPartition.Key(_tenant, ReportCutoff.PlusDays(-1)))));
        Assert.Equal(0, await CountAsync(sources, TableKeys.PartitionFilter(DayPartition.Key(_tenant, expired))));
        Assert.Equal(1, await CountAsync(sources, TableKeys.PartitionFilter(DayPartition.Key(_tenant, DataCutoff))));
        Assert.Equal(0, await CountAsync(coverage, TableKeys.PartitionFilter(DayPartition.Key(_tenant, expired))));
        Assert.Equal(1, await CountAsync(coverage, TableKeys.PartitionFilter(DayPartition.Key(_tenant, DataCutoff))));
        var marks = await app.Get<DayChangeMarks>().GetAsync(_tenant, expired, ReportCutoff, [], Ct);
        Assert.Equal([DataCutoff, ReportCutoff.PlusDays(-1)], marks.Keys.Order());
        foreach (var name in gone) Assert.False(await container.GetBlobClient(name).ExistsAsync(Ct), name);
        foreach (var name in kept) Assert.True(await container.GetBlobClient(name).ExistsAsync(Ct), name);

        // Nothing is left to delete: a second run finds nothing.
        Assert.Equal(new RetentionRunResult(DataCutoff, ReportCutoff, 0, 0, 0, 0, 0), await RunJobAsync(app));
    }

    [Fact]
    public async Task RunAsync_MoreTransactionsThanAreSentAtOnce_DeletesAndCountsEveryRow()
    {
        await using var app = await StartAsync();
        // 250 incidents of one day take three transactions, and six more days one each: more than are sent at once.
        var busy = DataCutoff.PlusDays(-1);
        var quiet = Enumerable.Range(2, 6).Select(i => DataCutoff.PlusDays(-i)).ToList();
        await app.Get<IncidentStore>().UpsertAsync(
            [.. Enumerable.Range(0, 250).Select(i => TestIncidents.Sqli(_tenant, $"busy:{i}", At(busy, 1).AddMinutes(i), TimeSpan.FromMinutes(1), 1, $"203.0.113.{i}", "/api/orders"))],
            Now,
            Ct);
        foreach (var day in quiet) await SeedIncidentsAsync(app, _tenant, day, 1);
        await SeedIncidentsAsync(app, _tenant, DataCutoff, 1);

        var run = await RunJobAsync(app);

        Assert.Equal((250 + 6 + 7, 0, true), (run.RowsDeleted, run.Failed, run.Finished)); // the incidents and seven days' change marks
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        var (first, afterLast) = (string.Create(CultureInfo.InvariantCulture, $"{_tenant}-"), string.Create(CultureInfo.InvariantCulture, $"{_tenant}.")); // '.' sorts right after '-'
        var tenantRows = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {afterLast}");
        Assert.Equal(1, await CountAsync(incidents, tenantRows)); // the day at the cutoff
    }

    [Fact]
    public async Task RunAsync_OneTransactionFails_TheOthersDeleteTheFailureIsCountedAndTheNextRunDeletesTheRest()
    {
        // The second delete transaction sent is refused on every try (a transaction, unlike a query, is not resumed).
        var batches = 0;
        HttpMessage? refused = null;
        var connection = new RefusedConnection
        {
            Only = m =>
            {
                if (refused is null && m.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) && Interlocked.Increment(ref batches) == 2) refused = m;
                return ReferenceEquals(m, refused); // the same message on each retry
            },
        };
        await using var app = await StartWithTablesThroughAsync(connection);
        var busy = DataCutoff.PlusDays(-1);
        await app.Get<IncidentStore>().UpsertAsync(
            [.. Enumerable.Range(0, 250).Select(i => TestIncidents.Sqli(_tenant, $"busy:{i}", At(busy, 1).AddMinutes(i), TimeSpan.FromMinutes(1), 1, $"203.0.113.{i}", "/api/orders"))],
            Now,
            Ct);
        var container = await ReportsAsync(app);
        await PutBlobsAsync(container, [ReportCache.BlobNameFor(_tenant, ReportCutoff.PlusDays(-1))]);
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        var expiredRows = TableClient.CreateQueryFilter($"PartitionKey eq {DayPartition.Key(_tenant, busy)}");

        connection.Refusing = true;
        var first = await RunJobAsync(app);
        connection.Refusing = false;

        var left = await CountAsync(incidents, expiredRows);
        // The refused transaction's rows (100, or the last transaction's 50: which of those in flight reaches the wire
        // second is a race), and a later one's if it was not started before the failure; never part of a transaction.
        Assert.InRange(left, 50, 150);
        Assert.Equal(0, left % 50);
        Assert.Equal((250 - left + 1, 1, 1), (first.RowsDeleted, first.BlobsDeleted, first.Failed)); // the other rows and the day's change mark; the report
        var failure = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1701);
        Assert.Contains(app.Get<StorageClients>().Options.IncidentsTable, failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.Exception); // the SDK's tries, all refused: an outage, said in words
        Assert.Contains("attempts failed, the last: ", failure.Message, StringComparison.Ordinal);

        var second = await RunJobAsync(app);

        Assert.Equal((left, 0), (second.RowsDeleted, second.Failed));
        Assert.Equal(0, await CountAsync(incidents, expiredRows));
    }

    [Fact]
    public async Task RunAsync_ATableCannotBeReached_TheOtherStoresAreCleaned()
    {
        var connection = new RefusedConnection();
        await using var app = await StartWithTablesThroughAsync(connection);
        var expired = DataCutoff.PlusDays(-1);
        await SeedIncidentsAsync(app, _tenant, expired, 2);
        var container = await ReportsAsync(app);
        var report = ReportCache.BlobNameFor(_tenant, ReportCutoff.PlusDays(-1));
        await PutBlobsAsync(container, [report]);

        connection.Refusing = true; // every table request, on every try: the SDK gives up with its AggregateException
        var run = await RunJobAsync(app);

        Assert.Equal((0, 1), (run.RowsDeleted, run.BlobsDeleted)); // the blob container is still reachable
        Assert.Equal(5, run.Failed); // incidents, sources, coverage, change marks and the enrichment cache
        Assert.All(app.Logs.GetSnapshot().Where(l => l.Id.Id == 1701), l => Assert.Null(l.Exception));
        Assert.False(await container.GetBlobClient(report).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_AnotherTenantWhoseIdStartsWithThisOnes_IsUntouched()
    {
        await using var app = await StartAsync();
        var other = (_tenant * 10) + 1; // "{tenant}1-…" sorts right after this tenant's keys
        var expired = DataCutoff.PlusDays(-30);
        await SeedIncidentsAsync(app, other, expired, 2);
        await SeedIncidentsAsync(app, _tenant, expired, 1);
        var container = await ReportsAsync(app);
        await PutBlobsAsync(container, [ReportCache.BlobNameFor(other, expired), CsvSnapshotStore.BlobNameFor(other, expired)]);

        var run = await RunJobAsync(app);

        Assert.Equal(1 + 1, run.RowsDeleted); // this tenant's incident and its change mark
        Assert.Equal(0, run.BlobsDeleted);
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        Assert.Equal(2, await CountAsync(incidents, TableKeys.PartitionFilter(DayPartition.Key(other, expired))));
        Assert.True(await container.GetBlobClient(ReportCache.BlobNameFor(other, expired)).ExistsAsync(Ct));
        Assert.True(await container.GetBlobClient(CsvSnapshotStore.BlobNameFor(other, expired)).ExistsAsync(Ct));
        Assert.Single(await app.Get<DayChangeMarks>().GetAsync(other, expired, expired, [], Ct));
    }

    [Fact]
    public async Task RunAsync_KeysThatNameNoDay_AreKeptCountedAndLogged()
    {
        await using var app = await StartAsync();
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        var odd = string.Create(CultureInfo.InvariantCulture, $"{_tenant}-2026"); // in the range read, but not a day
        await incidents.AddEntityAsync(new TableEntity(odd, "a"), Ct);
        await incidents.AddEntityAsync(new TableEntity(odd, "b"), Ct);
        var container = await ReportsAsync(app);
        var notes = string.Create(CultureInfo.InvariantCulture, $"daily/{_tenant}/2026/notes.pdf");
        var badWeek = string.Create(CultureInfo.InvariantCulture, $"weekly/{_tenant}/2026/2026-W60.pdf");
        await PutBlobsAsync(container, [notes, badWeek]);

        var run = await RunJobAsync(app);

        Assert.Equal(new RetentionRunResult(DataCutoff, ReportCutoff, 0, 0, 0, Skipped: 3, Failed: 0), run);
        Assert.Equal(2, await CountAsync(incidents, TableKeys.PartitionFilter(odd)));
        Assert.True(await container.GetBlobClient(notes).ExistsAsync(Ct));
        Assert.True(await container.GetBlobClient(badWeek).ExistsAsync(Ct));
        var logged = app.Logs.GetSnapshot().Where(l => l.Id.Id == 1702).Select(l => l.Message).ToList();
        Assert.Equal(3, logged.Count);
        Assert.Contains(logged, m => m.Contains(odd, StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains(notes, StringComparison.Ordinal));
        var summary = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1700).Message;
        Assert.Contains("days before 2026-07-27 and 0 stored report(s) and CSV snapshot(s) of periods starting before 2026-08-27, and 0 expired enrichment cache row(s); 3 name(s) not understood", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Disabled_DeletesNothing()
    {
        await using var app = await StartAsync(new() { ["Retention:Enabled"] = "false" });
        var expired = DataCutoff.PlusDays(-1);
        await SeedIncidentsAsync(app, _tenant, expired, 2);
        var container = await ReportsAsync(app);
        await PutBlobsAsync(container, [ReportCache.BlobNameFor(_tenant, expired)]);

        var run = await RunJobAsync(app);

        Assert.Equal(new RetentionRunResult(DataCutoff, ReportCutoff, 0, 0, 0, 0, 0), run);
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        Assert.Equal(2, await CountAsync(incidents, TableKeys.PartitionFilter(DayPartition.Key(_tenant, expired))));
        Assert.True(await container.GetBlobClient(ReportCache.BlobNameFor(_tenant, expired)).ExistsAsync(Ct));
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1703);
    }

    [Fact]
    public async Task RunAsync_ShorterRetention_MovesBothCutoffs()
    {
        await using var app = await StartAsync(new() { ["Reports:RetentionDays"] = "7" });
        var reportCutoff = new LocalDate(2026, 11, 18);
        var dataCutoff = reportCutoff.PlusDays(-RetentionJob.ComparisonDays);
        await SeedIncidentsAsync(app, _tenant, dataCutoff.PlusDays(-1), 1);
        await SeedIncidentsAsync(app, _tenant, dataCutoff, 1);

        var run = await RunJobAsync(app);

        Assert.Equal((dataCutoff, reportCutoff, 1 + 1), (run.DataCutoff, run.ReportCutoff, run.RowsDeleted));
    }

    [Fact]
    public async Task RunAsync_EnrichmentCacheRowsPastTheirTtl_AreDeletedAndFreshOnesKept()
    {
        await using var app = await StartAsync(new() { ["Enrichment:CacheTtl"] = "1.00:00:00" });
        var cache = await TableAsync(app, o => o.SourceCacheTable);
        TableEntity Row(string ip, TimeSpan age) => new(SourceProfileCache.PartitionKeyOf(ip), ip) { [SourceProfileCache.EnrichedAtColumn] = Now - age };
        foreach (var ip in new[] { "198.51.100.1", "198.51.100.2", "2001:db8::1" }) await cache.AddEntityAsync(Row(ip, TimeSpan.FromDays(3)), Ct);
        await cache.AddEntityAsync(Row("198.51.100.9", TimeSpan.FromHours(23)), Ct); // still fresh: a lookup would use it
        await cache.AddEntityAsync(new TableEntity(SourceProfileCache.PartitionKeyOf("198.51.100.8"), "198.51.100.8") { ["Entry"] = "{}" }, Ct); // no lookup time: another format, left alone

        var run = await RunJobAsync(app);

        Assert.Equal((0, 3, true), (run.RowsDeleted, run.CacheRowsDeleted, run.Finished));
        var left = new List<string>();
        await foreach (var row in cache.QueryAsync<TableEntity>(cancellationToken: Ct)) left.Add(row.RowKey);
        Assert.Equal(["198.51.100.8", "198.51.100.9"], left.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_AStoreFails_IsLoggedTheOthersAreCleanedAndTheNextRunFinishes()
    {
        await using var app = await StartAsync();
        var expired = DataCutoff.PlusDays(-1);
        await SeedIncidentsAsync(app, _tenant, expired, 2);
        var container = await ReportsAsync(app);
        var leased = container.GetBlobClient(ReportCache.BlobNameFor(_tenant, expired));
        await leased.UploadAsync(BinaryData.FromString("x"), Ct);
        var lease = leased.GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(-1), cancellationToken: Ct); // a leased blob refuses a delete without its lease id

        var first = await RunJobAsync(app);

        Assert.Equal((2 + 1, 0, 1), (first.RowsDeleted, first.BlobsDeleted, first.Failed));
        var failure = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1701);
        Assert.Contains(app.Get<StorageClients>().Options.ReportsContainer, failure.Message, StringComparison.Ordinal);
        Assert.True(await leased.ExistsAsync(Ct));

        await lease.ReleaseAsync(cancellationToken: Ct);
        var second = await RunJobAsync(app);

        Assert.Equal((0, 1, 0), (second.RowsDeleted, second.BlobsDeleted, second.Failed));
        Assert.False(await leased.ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_BudgetSpent_StopsAndTheNextRunsGoOnUntilEverythingExpiredIsGone()
    {
        await using var app = await StartAsync(new() { ["Retention:RunBudget"] = "00:00:00.001" });
        var expired = Enumerable.Range(1, 3).Select(i => DataCutoff.PlusDays(-i)).ToList();
        foreach (var day in expired) await SeedIncidentsAsync(app, _tenant, day, 1);
        var container = await ReportsAsync(app);
        await PutBlobsAsync(container, [ReportCache.BlobNameFor(_tenant, expired[0])]);

        var runs = new List<RetentionRunResult> { await RunJobAsync(app) };
        while (!runs[^1].Finished && runs.Count < 20) runs.Add(await RunJobAsync(app));

        // Each run gets at least its first deletion, so the runs always get through: reports first, then the rows.
        Assert.False(runs[0].Finished);
        Assert.Equal((0, 1), (runs[0].RowsDeleted, runs[0].BlobsDeleted));
        Assert.True(runs[^1].Finished);
        Assert.All(runs, r => Assert.True(r.RowsDeleted + r.BlobsDeleted > 0));
        Assert.Equal(3 + 3, runs.Sum(r => r.RowsDeleted)); // three incidents and their days' change marks
        var incidents = await TableAsync(app, o => o.IncidentsTable);
        foreach (var day in expired) Assert.Equal(0, await CountAsync(incidents, TableKeys.PartitionFilter(DayPartition.Key(_tenant, day))));
        Assert.Equal(runs.Count - 1, app.Logs.GetSnapshot().Count(l => l.Id.Id == 1704));
    }

    [Fact]
    public async Task AddIncidentFunctions_RetentionJob_IsATimerJobOnItsSettingDailyByDefault()
    {
        await using var app = await StartAsync();

        var job = Assert.Single(app.Services.GetServices<ScheduledJob>(), j => j.FunctionName == RetentionJob.FunctionName);

        Assert.Equal(AppSettingNames.RetentionSchedule, job.ScheduleSetting);
        Assert.Equal("0 40 2 * * *", job.Schedule(app.Services));
    }
}
