using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

using static IncidentFunctions.Tests.Reports.CsvSnapshotTenant;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The job that writes closed days' CSV snapshots ahead of their first export, against real Azurite: what it writes is
/// what the export serves, byte for byte, it leaves current snapshots alone, catches late writes, never touches today
/// and goes on past a day that fails.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class CsvSnapshotJobTests(AzuriteFixture azurite)
{
    private static readonly LocalDate Today = new(2026, 11, 25);
    private static readonly LocalDate Yesterday = Today.PlusDays(-1);
    private static readonly LocalDate TwoDaysAgo = Today.PlusDays(-2);
    private static readonly LocalDate ThreeDaysAgo = Today.PlusDays(-3);

    private readonly CsvSnapshotTenant _snapshots = new(azurite);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<CsvSnapshotRunResult> RunJobAsync(AppHarness app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CsvSnapshotJob>().RunAsync(Ct);
    }

    private static async Task<ETag> ETagOfAsync(BlobClient blob) => (await blob.GetPropertiesAsync(cancellationToken: Ct)).Value.ETag;

    [Fact]
    public async Task RunAsync_ClosedDayWithRows_FirstExportIsServedFromTheSnapshotByteIdenticalToTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        await _snapshots.SeedAsync(app, ThreeDaysAgo, count: 2);

        var run = await RunJobAsync(app);

        Assert.Equal(new CsvSnapshotRunResult(Written: 2, UpToDate: 0, Failed: 0, Unmarked: 5), run);
        BlobProperties properties = await (await _snapshots.SnapshotBlobAsync(app, Yesterday)).GetPropertiesAsync(cancellationToken: Ct);
        Assert.Equal("3", properties.Metadata["rows"]);
        Assert.False(await (await _snapshots.SnapshotBlobAsync(app, TwoDaysAgo)).ExistsAsync(Ct)); // never written: nothing to snapshot

        // The first export of the day: a row changed without a bump does not show, so it came from the job's snapshot.
        var id = IdOf(Yesterday, 1);
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 999);
        var first = await ExportDayAsync(app, Yesterday);
        Assert.Equal("6", HitsOf(first, id));

        // The same day read from the table (the row put back, the mark bumped): the same bytes.
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 6);
        await app.Get<DayChangeMarks>().BumpAsync(_snapshots.Id, [Yesterday], Ct);
        Assert.Equal(await ExportDayAsync(app, Yesterday), first);
    }

    [Fact]
    public async Task RunAsync_SnapshotUpToDate_IsNotRewritten()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        await _snapshots.SeedAsync(app, TwoDaysAgo);
        await ExportDayAsync(app, TwoDaysAgo); // the export's own snapshot counts as current too
        var exported = await ETagOfAsync(await _snapshots.SnapshotBlobAsync(app, TwoDaysAgo));

        Assert.Equal(new CsvSnapshotRunResult(1, 1, 0, 5), await RunJobAsync(app));
        var written = await ETagOfAsync(await _snapshots.SnapshotBlobAsync(app, Yesterday));

        Assert.Equal(new CsvSnapshotRunResult(0, 2, 0, 5), await RunJobAsync(app));
        Assert.Equal(written, await ETagOfAsync(await _snapshots.SnapshotBlobAsync(app, Yesterday)));
        Assert.Equal(exported, await ETagOfAsync(await _snapshots.SnapshotBlobAsync(app, TwoDaysAgo)));
    }

    [Fact]
    public async Task RunAsync_MarkBumpedAfterTheSnapshot_RewritesItWithTheLateWrite()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        await RunJobAsync(app);
        var blob = await _snapshots.SnapshotBlobAsync(app, Yesterday);
        var before = await ETagOfAsync(blob);

        // Enrichment or a late pull writes the closed day after midnight (IncidentStore bumps the mark).
        var id = IdOf(Yesterday, 0);
        await app.Get<IncidentStore>().UpsertAsync([_snapshots.Incident(id, At(Yesterday, 1), hits: 77)], Now, Ct);
        Assert.Equal(new CsvSnapshotRunResult(1, 0, 0, 6), await RunJobAsync(app));

        Assert.NotEqual(before, await ETagOfAsync(blob));
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 999);
        Assert.Equal("77", HitsOf(await ExportDayAsync(app, Yesterday), id)); // the new snapshot, with the late write
    }

    [Fact]
    public async Task WriteSnapshotAsync_WriteAfterTheMarkWasRead_LeavesASnapshotNoExportServes()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var export = app.Get<IncidentCsvExport>();
        var scope = await export.PrepareSnapshotsAsync(Yesterday, Yesterday, Ct); // the mark is read here
        var mark = scope.DayMarks[Yesterday];

        // A write lands between the job's read of the mark and its read of the rows.
        var late = IdOf(Yesterday, 9);
        await app.Get<IncidentStore>().UpsertAsync([_snapshots.Incident(late, At(Yesterday, 20), hits: 3)], Now, Ct);
        Assert.Equal(4, await export.WriteSnapshotAsync(scope, Yesterday, mark, Ct));

        // The snapshot carries the mark read before the write: the export reads the table, the next run rewrites it.
        var id = IdOf(Yesterday, 2);
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 4242);
        Assert.Equal("4242", HitsOf(await ExportDayAsync(app, Yesterday), id));
        await app.Get<DayChangeMarks>().BumpAsync(_snapshots.Id, [Yesterday], Ct);
        Assert.Equal(1, (await RunJobAsync(app)).Written);
    }

    [Fact]
    public async Task RunAsync_Today_IsNeverSnapshotted()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Today);
        await _snapshots.SeedAsync(app, Yesterday);

        Assert.Equal(new CsvSnapshotRunResult(1, 0, 0, 6), await RunJobAsync(app));

        Assert.False(await (await _snapshots.SnapshotBlobAsync(app, Today)).ExistsAsync(Ct));
        Assert.True(await (await _snapshots.SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_OneDayFails_TheOtherDaysAreWrittenAndTheDayIsRetriedNextRun()
    {
        await using var app = await _snapshots.StartAsync();
        foreach (var day in new[] { Yesterday, TwoDaysAgo, ThreeDaysAgo }) await _snapshots.SeedAsync(app, day);
        var blocked = await _snapshots.SnapshotBlobAsync(app, TwoDaysAgo);
        await blocked.UploadAsync(new BinaryData([]), cancellationToken: Ct);
        var lease = blocked.GetBlobLeaseClient();
        await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: Ct); // the blob cannot be written without the lease id

        var run = await RunJobAsync(app);

        Assert.Equal(new CsvSnapshotRunResult(Written: 2, UpToDate: 0, Failed: 1, Unmarked: 4), run);
        Assert.True(await (await _snapshots.SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
        Assert.True(await (await _snapshots.SnapshotBlobAsync(app, ThreeDaysAgo)).ExistsAsync(Ct));
        var logs = app.Logs.GetSnapshot();
        var failed = Assert.Single(logs, r => r.Id.Name == "CsvSnapshotDayFailed");
        Assert.Equal(1415, failed.Id.Id);
        Assert.Contains(ReportCalendar.IsoDay(TwoDaysAgo), failed.Message, StringComparison.Ordinal);
        Assert.Contains(logs, r => r.Id.Id == 1416 && r.Message.Contains("2 written, 0 up to date, 1 failed", StringComparison.Ordinal));

        await lease.ReleaseAsync(cancellationToken: Ct);
        Assert.Equal(new CsvSnapshotRunResult(1, 2, 0, 4), await RunJobAsync(app));
    }

    [Fact]
    public async Task RunAsync_DayWithARowTheExportCannotRead_FailsThatDayOnly()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        await _snapshots.SeedAsync(app, TwoDaysAgo);
        // A row whose Hits is text: the typed table read of the day fails, as the export's own read of it would.
        var storage = app.Get<StorageClients>();
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, Ct);
        await table.UpdateEntityAsync(new TableEntity(DayPartition.Key(_snapshots.Id, TwoDaysAgo), TableKeys.Escape(IdOf(TwoDaysAgo, 1))) { ["Hits"] = "many" }, ETag.All, TableUpdateMode.Merge, Ct);

        var run = await RunJobAsync(app);

        Assert.Equal(new CsvSnapshotRunResult(Written: 1, UpToDate: 0, Failed: 1, Unmarked: 5), run);
        Assert.False(await (await _snapshots.SnapshotBlobAsync(app, TwoDaysAgo)).ExistsAsync(Ct));
        Assert.True(await (await _snapshots.SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_LookBackZero_DoesNothing()
    {
        await using var app = await _snapshots.StartAsync(lookBackDays: 0);
        await _snapshots.SeedAsync(app, Yesterday);

        Assert.Equal(new CsvSnapshotRunResult(0, 0, 0, 0), await RunJobAsync(app));

        Assert.False(await (await _snapshots.SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_LookBackOfOneDay_LeavesOlderDaysAlone()
    {
        await using var app = await _snapshots.StartAsync(lookBackDays: 1);
        await _snapshots.SeedAsync(app, Yesterday);
        await _snapshots.SeedAsync(app, TwoDaysAgo);

        Assert.Equal(new CsvSnapshotRunResult(1, 0, 0, 0), await RunJobAsync(app));

        Assert.False(await (await _snapshots.SnapshotBlobAsync(app, TwoDaysAgo)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task AddIncidentFunctions_CsvSnapshotJob_IsATimerJobOnItsSettingHourlyByDefault()
    {
        await using var app = await _snapshots.StartAsync();

        var job = Assert.Single(app.Services.GetServices<ScheduledJob>(), j => j.FunctionName == CsvSnapshotJob.FunctionName);

        Assert.Equal(AppSettingNames.CsvSnapshotsSchedule, job.ScheduleSetting);
        Assert.Equal("0 20 * * * *", job.Schedule(app.Services));
    }
}
