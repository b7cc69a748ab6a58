using System.Globalization;
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
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using nietras.SeparatedValues;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The job that writes closed days' CSV snapshots ahead of their first export, against real Azurite: what it writes is
/// what the export serves, byte for byte, it leaves current snapshots alone, catches late writes, never touches today
/// and goes on past a day that fails.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class CsvSnapshotJobTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate Today = new(2026, 11, 25);
    private static readonly LocalDate Yesterday = Today.PlusDays(-1);
    private static readonly LocalDate TwoDaysAgo = Today.PlusDays(-2);
    private static readonly LocalDate ThreeDaysAgo = Today.PlusDays(-3);

    // The reports container is shared by every harness on the fixture's Azurite: a tenant of its own keeps the blobs apart.
    private readonly long _tenant = Random.Shared.NextInt64(1_000_000, int.MaxValue);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<AppHarness> StartAsync(int? lookBackDays = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = _tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:TimeZone"] = "UTC",
        };
        if (lookBackDays is { } days) settings["Reports:CsvSnapshotLookBackDays"] = days.ToString(CultureInfo.InvariantCulture);
        return AppHarness.StartAsync(azurite, o => { o.ClientId = _tenant; o.HostileTextShare = 0; }, settings, new ManualClock(Now));
    }

    private static DateTimeOffset At(LocalDate day, int hour) => new(day.Year, day.Month, day.Day, hour, 0, 0, TimeSpan.Zero);

    private static string Id(LocalDate day, int i) => string.Create(CultureInfo.InvariantCulture, $"{ReportCalendar.DayKey(day)}:{i}");

    private Incident Incident(string id, DateTimeOffset first, long hits) => new()
    {
        TenantId = _tenant,
        Id = id,
        FirstSeen = first,
        LastSeen = first + TimeSpan.FromMinutes(5),
        AttackType = "sqli",
        Domain = "shop.example.com",
        Path = "/api/orders",
        Hits = hits,
        IpCount = 1,
        TopIps = [new IncidentSourceIp("203.0.113.9", hits, "NL")],
        VulnerabilityId = 11,
        Status = IncidentStatus.Blocked,
    };

    private async Task SeedAsync(AppHarness app, LocalDate day, int count = 3)
        => await app.Get<IncidentStore>().UpsertAsync(
            Enumerable.Range(0, count).Select(i => Incident(Id(day, i), At(day, 1 + i), hits: 5 + i)).ToList(), Now, Ct);

    private static async Task<CsvSnapshotRunResult> RunJobAsync(AppHarness app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CsvSnapshotJob>().RunAsync(Ct);
    }

    private static async Task<byte[]> ExportDayAsync(AppHarness app, LocalDate day)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "GET";
        var body = new MemoryStream();
        context.Response.Body = body;
        var result = await scope.ServiceProvider.GetRequiredService<ReportCsvEndpoint>().HandleAsync(context.Request, "daily", ReportCalendar.IsoDay(day), Ct);
        await result.ExecuteAsync(context);
        Assert.Equal(200, context.Response.StatusCode);
        return body.ToArray();
    }

    private async Task<BlobClient> SnapshotBlobAsync(AppHarness app, LocalDate day)
    {
        var storage = app.Get<StorageClients>();
        var container = await storage.GetContainerAsync(storage.Options.ReportsContainer, Ct);
        return container.GetBlobClient(CsvSnapshotStore.BlobNameFor(_tenant, day));
    }

    private static async Task<ETag> ETagOfAsync(BlobClient blob) => (await blob.GetPropertiesAsync(cancellationToken: Ct)).Value.ETag;

    /// <summary>Changes a stored row behind the change mark's back, as no writer of the app does: shows whether an export read the table.</summary>
    private async Task SetHitsWithoutBumpAsync(AppHarness app, LocalDate day, string incidentId, long hits)
    {
        var storage = app.Get<StorageClients>();
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, Ct);
        await table.UpdateEntityAsync(new TableEntity(DayPartition.Key(_tenant, day), TableKeys.Escape(incidentId)) { ["Hits"] = hits }, ETag.All, TableUpdateMode.Merge, Ct);
    }

    private static string HitsOf(byte[] body, string incidentId)
    {
        using var reader = CsvReading.Reader().From(new StreamReader(new MemoryStream(body)));
        return CsvReading.Records(reader).Single(r => r["incident_id"] == incidentId)["hits"];
    }

    [Fact]
    public async Task RunAsync_ClosedDayWithRows_FirstExportIsServedFromTheSnapshotByteIdenticalToTheTable()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Yesterday);
        await SeedAsync(app, ThreeDaysAgo, count: 2);

        var run = await RunJobAsync(app);

        Assert.Equal(new CsvSnapshotRunResult(Written: 2, UpToDate: 0, Failed: 0, Unmarked: 5), run);
        BlobProperties properties = await (await SnapshotBlobAsync(app, Yesterday)).GetPropertiesAsync(cancellationToken: Ct);
        Assert.Equal("3", properties.Metadata["rows"]);
        Assert.False(await (await SnapshotBlobAsync(app, TwoDaysAgo)).ExistsAsync(Ct)); // never written: nothing to snapshot

        // The first export of the day: a row changed without a bump does not show, so it came from the job's snapshot.
        var id = Id(Yesterday, 1);
        await SetHitsWithoutBumpAsync(app, Yesterday, id, 999);
        var first = await ExportDayAsync(app, Yesterday);
        Assert.Equal("6", HitsOf(first, id));

        // The same day read from the table (the row put back, the mark bumped): the same bytes.
        await SetHitsWithoutBumpAsync(app, Yesterday, id, 6);
        await app.Get<DayChangeMarks>().BumpAsync(_tenant, [Yesterday], Ct);
        Assert.Equal(await ExportDayAsync(app, Yesterday), first);
    }

    [Fact]
    public async Task RunAsync_SnapshotUpToDate_IsNotRewritten()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Yesterday);
        await SeedAsync(app, TwoDaysAgo);
        await ExportDayAsync(app, TwoDaysAgo); // the export's own snapshot counts as current too
        var exported = await ETagOfAsync(await SnapshotBlobAsync(app, TwoDaysAgo));

        Assert.Equal(new CsvSnapshotRunResult(1, 1, 0, 5), await RunJobAsync(app));
        var written = await ETagOfAsync(await SnapshotBlobAsync(app, Yesterday));

        Assert.Equal(new CsvSnapshotRunResult(0, 2, 0, 5), await RunJobAsync(app));
        Assert.Equal(written, await ETagOfAsync(await SnapshotBlobAsync(app, Yesterday)));
        Assert.Equal(exported, await ETagOfAsync(await SnapshotBlobAsync(app, TwoDaysAgo)));
    }

    [Fact]
    public async Task RunAsync_MarkBumpedAfterTheSnapshot_RewritesItWithTheLateWrite()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Yesterday);
        await RunJobAsync(app);
        var blob = await SnapshotBlobAsync(app, Yesterday);
        var before = await ETagOfAsync(blob);

        // Enrichment or a late pull writes the closed day after midnight (IncidentStore bumps the mark).
        var id = Id(Yesterday, 0);
        await app.Get<IncidentStore>().UpsertAsync([Incident(id, At(Yesterday, 1), hits: 77)], Now, Ct);
        Assert.Equal(new CsvSnapshotRunResult(1, 0, 0, 6), await RunJobAsync(app));

        Assert.NotEqual(before, await ETagOfAsync(blob));
        await SetHitsWithoutBumpAsync(app, Yesterday, id, 999);
        Assert.Equal("77", HitsOf(await ExportDayAsync(app, Yesterday), id)); // the new snapshot, with the late write
    }

    [Fact]
    public async Task WriteSnapshotAsync_WriteAfterTheMarkWasRead_LeavesASnapshotNoExportServes()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Yesterday);
        var export = app.Get<IncidentCsvExport>();
        var scope = await export.PrepareSnapshotsAsync(Yesterday, Yesterday, Ct); // the mark is read here
        var mark = scope.DayMarks[Yesterday];

        // A write lands between the job's read of the mark and its read of the rows.
        var late = Id(Yesterday, 9);
        await app.Get<IncidentStore>().UpsertAsync([Incident(late, At(Yesterday, 20), hits: 3)], Now, Ct);
        Assert.Equal(4, await export.WriteSnapshotAsync(scope, Yesterday, mark, Ct));

        // The snapshot carries the mark read before the write: the export reads the table, the next run rewrites it.
        var id = Id(Yesterday, 2);
        await SetHitsWithoutBumpAsync(app, Yesterday, id, 4242);
        Assert.Equal("4242", HitsOf(await ExportDayAsync(app, Yesterday), id));
        await app.Get<DayChangeMarks>().BumpAsync(_tenant, [Yesterday], Ct);
        Assert.Equal(1, (await RunJobAsync(app)).Written);
    }

    [Fact]
    public async Task RunAsync_Today_IsNeverSnapshotted()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Today);
        await SeedAsync(app, Yesterday);

        Assert.Equal(new CsvSnapshotRunResult(1, 0, 0, 6), await RunJobAsync(app));

        Assert.False(await (await SnapshotBlobAsync(app, Today)).ExistsAsync(Ct));
        Assert.True(await (await SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_OneDayFails_TheOtherDaysAreWrittenAndTheDayIsRetriedNextRun()
    {
        await using var app = await StartAsync();
        foreach (var day in new[] { Yesterday, TwoDaysAgo, ThreeDaysAgo }) await SeedAsync(app, day);
        var blocked = await SnapshotBlobAsync(app, TwoDaysAgo);
        await blocked.UploadAsync(new BinaryData([]), cancellationToken: Ct);
        var lease = blocked.GetBlobLeaseClient();
        await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: Ct); // the blob cannot be written without the lease id

        var run = await RunJobAsync(app);

        Assert.Equal(new CsvSnapshotRunResult(Written: 2, UpToDate: 0, Failed: 1, Unmarked: 4), run);
        Assert.True(await (await SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
        Assert.True(await (await SnapshotBlobAsync(app, ThreeDaysAgo)).ExistsAsync(Ct));
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
        await using var app = await StartAsync();
        await SeedAsync(app, Yesterday);
        await SeedAsync(app, TwoDaysAgo);
        // A row whose Hits is text: the typed table read of the day fails, as the export's own read of it would.
        var storage = app.Get<StorageClients>();
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, Ct);
        await table.UpdateEntityAsync(new TableEntity(DayPartition.Key(_tenant, TwoDaysAgo), TableKeys.Escape(Id(TwoDaysAgo, 1))) { ["Hits"] = "many" }, ETag.All, TableUpdateMode.Merge, Ct);

        var run = await RunJobAsync(app);

        Assert.Equal(new CsvSnapshotRunResult(Written: 1, UpToDate: 0, Failed: 1, Unmarked: 5), run);
        Assert.False(await (await SnapshotBlobAsync(app, TwoDaysAgo)).ExistsAsync(Ct));
        Assert.True(await (await SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_LookBackZero_DoesNothing()
    {
        await using var app = await StartAsync(lookBackDays: 0);
        await SeedAsync(app, Yesterday);

        Assert.Equal(new CsvSnapshotRunResult(0, 0, 0, 0), await RunJobAsync(app));

        Assert.False(await (await SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_LookBackOfOneDay_LeavesOlderDaysAlone()
    {
        await using var app = await StartAsync(lookBackDays: 1);
        await SeedAsync(app, Yesterday);
        await SeedAsync(app, TwoDaysAgo);

        Assert.Equal(new CsvSnapshotRunResult(1, 0, 0, 0), await RunJobAsync(app));

        Assert.False(await (await SnapshotBlobAsync(app, TwoDaysAgo)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task AddIncidentFunctions_CsvSnapshotJob_IsATimerJobOnItsSettingHourlyByDefault()
    {
        await using var app = await StartAsync();

        var job = Assert.Single(app.Services.GetServices<ScheduledJob>(), j => j.FunctionName == CsvSnapshotJob.FunctionName);

        Assert.Equal(AppSettingNames.CsvSnapshotsSchedule, job.ScheduleSetting);
        Assert.Equal("0 20 * * * *", job.Schedule(app.Services));
    }
}
