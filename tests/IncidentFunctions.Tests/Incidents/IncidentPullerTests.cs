using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IncidentFunctions.Tests.Incidents;

[Trait("Category", TestCategories.Integration)]
public sealed class IncidentPullerTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<IncidentEntity>> AllRowsAsync(AppHarness app)
    {
        var table = new TableServiceClient(app.ConnectionString).GetTableClient(app.TablePrefix + "incidents");
        return await table.QueryAsync<IncidentEntity>(cancellationToken: Ct).ToListAsync(Ct);
    }

    private static HashSet<string> ExpectedIds(AppHarness app, DateTimeOffset from, DateTimeOffset to)
        => app.Simulator.Data.IncidentsIn(from.ToUnixTimeSeconds(), to.ToUnixTimeSeconds(), app.Clock.GetUtcNow().ToUnixTimeSeconds())
            .Select(a => a.AttackId).ToHashSet();

    private static async Task<CheckpointEntity> CheckpointAsync(AppHarness app) => (await app.Get<CheckpointStore>().GetAsync(5, Ct))!;

    private static async Task<List<EnrichmentRequest>> DrainQueueAsync(AppHarness app)
    {
        var queue = new QueueClient(app.ConnectionString, app.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var requests = new List<EnrichmentRequest>();
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(32, cancellationToken: Ct)).Value;
            if (messages.Length == 0) return requests;
            foreach (var message in messages)
            {
                requests.Add(EnrichmentRequestSerializer.Decode(message.Body));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);
            }
        }
    }

    [Fact]
    public async Task RunAsync_FirstRun_BackfillsTheLookbackOnceEach()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var now = app.Clock.GetUtcNow();

        var result = await app.PullAsync(Ct);

        var rows = await AllRowsAsync(app);
        var expected = ExpectedIds(app, now.AddDays(-1), now);
        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        Assert.Equal(expected, rows.Select(r => r.IncidentId).ToHashSet());
        Assert.Equal(expected.Count, result.Incidents);
        // One row per incident per day it was active on, never two on the same day.
        Assert.Equal(rows.Count, rows.Select(r => (r.PartitionKey, r.RowKey)).Distinct().Count());
        var calendar = new ReportCalendar("UTC");
        foreach (var incident in rows.GroupBy(r => r.IncidentId))
        {
            var first = incident.First();
            var days = calendar.DaysSpanned(first.FirstSeen, first.LastSeen).Select(ReportCalendar.IsoDay).ToList();
            Assert.Equal(days, incident.Select(r => r.Day).Order());
        }

        Assert.Equal(now, (await CheckpointAsync(app)).PulledUntil);
    }

    [Fact]
    public async Task RunAsync_RepeatedOverTheSameWindow_WritesNoDuplicates()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        await app.PullAsync(Ct);
        var before = (await AllRowsAsync(app)).Select(r => (r.PartitionKey, r.RowKey, r.LastSeen, r.Hits)).Order().ToList();

        // Same clock: the second run re-reads its overlap and must land on exactly the same rows.
        await app.PullAsync(Ct);

        var after = (await AllRowsAsync(app)).Select(r => (r.PartitionKey, r.RowKey, r.LastSeen, r.Hits)).Order().ToList();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task RunAsync_OngoingIncident_IsUpdatedInPlaceOnTheNextRun()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 400);
        var t0 = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        await app.PullAsync(Ct);
        var ongoing = app.Simulator.Data.IncidentsIn(t0 - 3600, t0, t0).First(a => a.IsOngoingAt(t0) && a.IsOngoingAt(t0 + 1800) && a.State is null);
        var before = (await AllRowsAsync(app)).Single(r => r.IncidentId == ongoing.AttackId && r.Day == "2026-11-20");

        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await app.PullAsync(Ct);

        var after = (await AllRowsAsync(app)).Where(r => r.IncidentId == ongoing.AttackId).ToList();
        var row = Assert.Single(after, r => r.Day == "2026-11-20");
        Assert.True(row.LastSeen > before.LastSeen);
        Assert.Equal(ongoing.LastTimeAt(t0 + 1800), row.LastSeen.ToUnixTimeSeconds());
        Assert.Equal(ongoing.HitsAt(t0 + 1800), row.Hits);
        Assert.True(row.Hits >= before.Hits);
    }

    [Fact]
    public async Task RunAsync_IncidentSpanningMidnight_IsFiledUnderEachDay()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 300, new Dictionary<string, string?> { ["Ingestion:InitialLookback"] = "3.00:00:00" });
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        await app.PullAsync(Ct);

        var rows = await AllRowsAsync(app);
        var multiDay = app.Simulator.Data.IncidentsIn(now - 2 * 86400, now, now)
            .First(a => DateTimeOffset.FromUnixTimeSeconds(a.FirstTime).Date != DateTimeOffset.FromUnixTimeSeconds(a.LastTimeAt(now)).Date);
        var days = rows.Where(r => r.IncidentId == multiDay.AttackId).Select(r => r.Day).Order().ToList();
        var expectedDays = new ReportCalendar("UTC").DaysSpanned(DateTimeOffset.FromUnixTimeSeconds(multiDay.FirstTime), DateTimeOffset.FromUnixTimeSeconds(multiDay.LastTimeAt(now)))
            .Select(ReportCalendar.IsoDay).ToList();
        Assert.True(expectedDays.Count >= 2);
        Assert.Equal(expectedDays, days);
    }

    [Fact]
    public async Task RunAsync_ReportZoneIsBerlin_FilesByLocalDay()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Reports:TimeZone"] = "Europe/Berlin" });
        await app.PullAsync(Ct);

        var calendar = new ReportCalendar("Europe/Berlin");
        Assert.All(await AllRowsAsync(app), r =>
        {
            var days = calendar.DaysSpanned(r.FirstSeen, r.LastSeen).Select(ReportCalendar.IsoDay).ToList();
            Assert.Contains(r.Day, days);
            Assert.Equal($"5-{r.Day.Replace("-", "", StringComparison.Ordinal)}", r.PartitionKey);
            Assert.Equal("Europe/Berlin", r.TimeZone);
        });
    }

    [Fact]
    public async Task RunAsync_NextRun_StartsAtCheckpointMinusOverlap()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Ingestion:Overlap"] = "00:15:00", ["Wallarm:VerifyCounts"] = "false" });
        await app.PullAsync(Ct);
        var checkpoint = (await CheckpointAsync(app)).PulledUntil!.Value;
        app.Simulator.Requests.Clear();
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await app.PullAsync(Ct);

        var request = app.Simulator.Requests.For("/v1/objects/attack")[0];
        using var body = JsonDocument.Parse(request.Body);
        var time = body.RootElement.GetProperty("filter").GetProperty("time")[0];
        Assert.Equal(checkpoint.AddMinutes(-15).ToUnixTimeSeconds(), time[0].GetInt64());
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds(), time[1].GetInt64());
        Assert.Equal(app.Clock.GetUtcNow(), (await CheckpointAsync(app)).PulledUntil);
    }

    [Fact]
    public async Task RunAsync_AfterSixHourOutage_CatchesUpWithNothingMissing()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        await app.PullAsync(Ct);
        var coverageLog = app.Get<CoverageLog>();

        app.Clock.Advance(TimeSpan.FromHours(6));
        var gap = await coverageLog.GetDayAsync(5, new LocalDate(2026, 11, 20), app.Clock.GetUtcNow(), Ct);
        await app.PullAsync(Ct);

        var now = app.Clock.GetUtcNow();
        var coverage = await coverageLog.GetDayAsync(5, new LocalDate(2026, 11, 20), now, Ct);
        Assert.Equal(new TimeWindow(ManualClock.DefaultStart, now), Assert.Single(gap.Missing));
        Assert.True(coverage.IsComplete);
        Assert.Equal(ExpectedIds(app, now.AddDays(-1).AddHours(-6), now), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    [Theory]
    [InlineData(FaultKind.MalformedJson)]
    [InlineData(FaultKind.TruncatedPage)]
    public async Task RunAsync_MalformedPage_StopsWithoutMovingTheCheckpointAndRecoversNextRun(FaultKind kind)
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Ingestion:InitialLookback"] = "02:00:00" });
        await app.PullAsync(Ct);
        var before = (await CheckpointAsync(app)).PulledUntil;
        app.Clock.Advance(TimeSpan.FromHours(1));
        app.Simulator.Faults.Add(new FaultRule { Kind = kind, Times = 0 });

        await Assert.ThrowsAsync<WallarmMalformedResponseException>(() => app.PullAsync(Ct));

        var failed = await CheckpointAsync(app);
        Assert.Equal(before, failed.PulledUntil);
        Assert.Equal("Failed", failed.LastOutcome);
        Assert.Contains("invalid JSON", failed.LastError, StringComparison.Ordinal);

        app.Simulator.Faults.Clear();
        var result = await app.PullAsync(Ct);
        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        Assert.Equal(app.Clock.GetUtcNow(), (await CheckpointAsync(app)).PulledUntil);
    }

    [Fact]
    public async Task RunAsync_EmptyPageInTheMiddleOnce_IsCaughtByTheCountAndHealedBySecondPass()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 600, new Dictionary<string, string?> { ["Wallarm:PageSize"] = "20", ["Ingestion:InitialLookback"] = "06:00:00" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.EmptyPage, Page = 1, Times = 1 });

        var result = await app.PullAsync(Ct);

        Assert.Equal(1, app.Simulator.Faults.Fired(FaultKind.EmptyPage));
        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1210);
        var now = app.Clock.GetUtcNow();
        Assert.Equal(ExpectedIds(app, now.AddHours(-6), now), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    [Fact]
    public async Task RunAsync_EmptyPageInTheMiddleEveryTime_SplitsTheWindowUntilItsPagesAreWhole()
    {
        // Short incidents: a window matches the incidents active in it, so splitting helps while fewer than a page are.
        await using var app = await AppHarness.StartAsync(azurite, s => { s.IncidentsPerDay = 600; s.MaxIncidentDuration = TimeSpan.FromMinutes(30); }, new Dictionary<string, string?> { ["Wallarm:PageSize"] = "20", ["Ingestion:InitialLookback"] = "06:00:00" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.EmptyPage, Page = 1, Times = 0 });

        var result = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        Assert.True(result.WindowsPulled > 2, $"{result.WindowsPulled} windows"); // halves of the 6-hour window, and of them
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1219);
        var now = app.Clock.GetUtcNow();
        Assert.Equal(now, (await CheckpointAsync(app)).PulledUntil);
        Assert.Equal(ExpectedIds(app, now.AddHours(-6), now), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    [Fact]
    public async Task RunAsync_ApiRefusesOffsetsPastAResultWindow_SplitsTheWindowAndStoresEveryIncident()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => { s.IncidentsPerDay = 600; s.MaxIncidentDuration = TimeSpan.FromMinutes(30); s.MaxResultWindow = 40; },
            new Dictionary<string, string?> { ["Wallarm:PageSize"] = "20", ["Ingestion:InitialLookback"] = "06:00:00" });

        var result = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        var refused = app.Logs.GetSnapshot().Where(l => l.Id.Id == 1220).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, l => Assert.Contains("past 2 page(s) (WallarmApiException: Wallarm API /v1/objects/attack failed with status 400", l.Message, StringComparison.Ordinal));
        var now = app.Clock.GetUtcNow();
        Assert.Equal(now, (await CheckpointAsync(app)).PulledUntil);
        Assert.Equal(ExpectedIds(app, now.AddHours(-6), now), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
        // Every stored incident's sources were queued, also those first read by a window that was then split.
        var refs = (await DrainQueueAsync(app)).SelectMany(r => r.Sources.SelectMany(s => s.Incidents.Select(i => (s.Ip, i.Id)))).ToHashSet();
        var rows = await AllRowsAsync(app);
        Assert.Equal(rows.SelectMany(r => r.ReadTopIps().Select(t => (t.Ip, r.IncidentId))).ToHashSet(), refs);
    }

    [Fact]
    public async Task RunAsync_FirstPageEmptyEveryTime_FailsAtTheShortestWindowAndRecoversLater()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 600, new Dictionary<string, string?> { ["Wallarm:PageSize"] = "20", ["Ingestion:InitialLookback"] = "06:00:00" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.EmptyPage, Page = 0, Times = 0 });

        var error = await Assert.ThrowsAsync<WallarmCountMismatchException>(() => app.PullAsync(Ct));

        Assert.Contains("came back short", error.Message, StringComparison.Ordinal);
        Assert.Contains("splitting it down to 5 minutes", error.Message, StringComparison.Ordinal);
        Assert.Equal("Wallarm__VerifyCounts", (await CheckpointAsync(app)).LastErrorSetting);
        var now = app.Clock.GetUtcNow();
        var stoppedAt = (await CheckpointAsync(app)).PulledUntil;
        Assert.True(stoppedAt is null || stoppedAt < now, $"checkpoint {stoppedAt:o}"); // at most up to the failing window
        app.Simulator.Faults.Clear();
        await app.PullAsync(Ct);
        Assert.Equal(ExpectedIds(app, now.AddHours(-6), now), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    [Fact]
    public async Task RunAsync_ShortestWindowShortThreeRunsInARow_IsTakenAsReadWithTheMissingFiledAsUnreadable()
    {
        // One 5-minute window whose first page is always empty: Wallarm counts incidents its pages never hold.
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Ingestion:InitialLookback"] = "00:05:00" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.EmptyPage, Page = 0, Times = 0 });
        var now = app.Clock.GetUtcNow();
        var day = LocalDate.FromDateTime(now.UtcDateTime);
        var quarantine = app.Get<RecordQuarantine>();

        for (var run = 1; run < IncidentPuller.ShortRunsBeforeAccepting; run++)
        {
            var error = await Assert.ThrowsAsync<WallarmCountMismatchException>(() => app.PullAsync(Ct));
            Assert.Contains($"Run {run} of 3", error.Message, StringComparison.Ordinal);
            Assert.Equal((null, run), ((await CheckpointAsync(app)).PulledUntil, (await CheckpointAsync(app)).ShortWindowRuns));
        }

        var accepted = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, accepted.Outcome);
        var checkpoint = await CheckpointAsync(app);
        Assert.Equal((now, 0, (DateTimeOffset?)null), (checkpoint.PulledUntil, checkpoint.ShortWindowRuns, checkpoint.ShortWindowFrom));
        var missing = ExpectedIds(app, now.AddMinutes(-5), now).Count;
        Assert.InRange(missing, 1, 100);
        Assert.Equal(missing, await quarantine.CountOpenAsync(5, day, Ct)); // the report and digest say so
        Assert.Equal(missing, checkpoint.QuarantinedRecords);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1221 && l.Level == LogLevel.Error);

        // Wallarm lists them again: the next run's overlap reads the window whole and resolves what was filed.
        app.Simulator.Faults.Clear();
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.PullAsync(Ct);
        Assert.Equal(0, await quarantine.CountOpenAsync(5, day, Ct));
        Assert.Superset(ExpectedIds(app, now.AddMinutes(-5), now), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    /// <summary>Runs the pull until the one 5-minute window before now is taken as read with its incidents filed as unreadable; their count.</summary>
    private static async Task<int> AcceptShortWindowAsync(AppHarness app)
    {
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.EmptyPage, Page = 0, Times = 0 });
        for (var run = 1; run < IncidentPuller.ShortRunsBeforeAccepting; run++) await Assert.ThrowsAsync<WallarmCountMismatchException>(() => app.PullAsync(Ct));
        Assert.Equal(PullOutcome.Succeeded, (await app.PullAsync(Ct)).Outcome);
        app.Simulator.Faults.Clear();
        return (await CheckpointAsync(app)).QuarantinedRecords;
    }

    [Fact]
    public async Task RunAsync_UnreadWindowListedAgainAfterTheOverlapHasPassed_IsReadAgainAtTheRecheckIntervalAndResolved()
    {
        // No overlap: later runs' windows never enclose the accepted one, so only the recheck reads it again.
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Ingestion:InitialLookback"] = "00:05:00", ["Ingestion:Overlap"] = "00:00:00" });
        var accepted = app.Clock.GetUtcNow();
        var day = LocalDate.FromDateTime(accepted.UtcDateTime);
        var quarantine = app.Get<RecordQuarantine>();
        var missing = await AcceptShortWindowAsync(app);
        Assert.InRange(missing, 1, 100);

        // The next run's windows read whole; its recheck fails on Wallarm's count (the first count request is the window's).
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Endpoint = "count", SkipFirst = 1, Times = 0 });
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(PullOutcome.Succeeded, (await app.PullAsync(Ct)).Outcome);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1224);
        Assert.Equal(missing, await quarantine.CountOpenAsync(5, day, Ct));

        // Within the interval nothing is read again, even with Wallarm answering.
        app.Simulator.Faults.Clear();
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.PullAsync(Ct);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Id.Id is 1222 or 1223);
        Assert.Equal(missing, await quarantine.CountOpenAsync(5, day, Ct));

        app.Clock.Advance(TimeSpan.FromMinutes(50));
        await app.PullAsync(Ct);

        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1222);
        Assert.Equal(0, await quarantine.CountOpenAsync(5, day, Ct));
        Assert.Equal(0, (await CheckpointAsync(app)).QuarantinedRecords);
        Assert.Superset(ExpectedIds(app, accepted.AddMinutes(-5), accepted), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    [Fact]
    public async Task RunAsync_UnreadRecheckTurnedOff_LeavesTheUnreadWindowOpen()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Ingestion:InitialLookback"] = "00:05:00", ["Ingestion:Overlap"] = "00:00:00", ["Ingestion:UnreadRecheckInterval"] = "00:00:00",
        });
        var day = LocalDate.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var missing = await AcceptShortWindowAsync(app);

        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.PullAsync(Ct);

        Assert.Equal(missing, await app.Get<RecordQuarantine>().CountOpenAsync(5, day, Ct));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Id.Id is 1222 or 1223 or 1224);
    }

    [Fact]
    public void Halves_WindowWithFractionalSeconds_MeetAtAWholeSecondAndCoverIt()
    {
        var window = new TimeWindow(DateTimeOffset.Parse("2026-12-01T10:00:00.250Z", CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-12-01T10:07:31.900Z", CultureInfo.InvariantCulture));

        var halves = IncidentPuller.Halves(window);

        Assert.Equal((window.From, window.To), (halves[0].From, halves[1].To));
        Assert.Equal(halves[0].To, halves[1].From);
        Assert.Equal(0, halves[0].To.Millisecond);
        Assert.InRange(halves[0].To, window.From.AddMinutes(3), window.From.AddMinutes(4));
    }

    [Fact]
    public async Task RunAsync_TokenRejected_FailsWithTheSettingToFixAndRecordsIt()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ApiToken"] = "FAKE-expired-token", ["Wallarm:ClientId"] = "5" });

        var error = await Assert.ThrowsAsync<WallarmAuthenticationException>(() => app.PullAsync(Ct));

        Assert.Contains("Wallarm__ApiToken", error.Message, StringComparison.Ordinal);
        var checkpoint = await CheckpointAsync(app);
        Assert.Null(checkpoint.PulledUntil);
        Assert.Equal("Failed", checkpoint.LastOutcome);
    }

    [Fact]
    public async Task RunAsync_BudgetSpent_StopsBetweenWindowsAndTheNextRunResumes()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Ingestion:RunBudget"] = "00:00:00.001",
            ["Ingestion:WindowSize"] = "06:00:00",
        });
        var start = app.Clock.GetUtcNow();

        var first = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Partial, first.Outcome);
        Assert.Equal(1, first.WindowsPulled);
        Assert.Equal(3, first.WindowsLeft);
        Assert.Equal(start.AddHours(-18), (await CheckpointAsync(app)).PulledUntil);

        for (var i = 0; i < 10 && (await CheckpointAsync(app)).PulledUntil < start; i++) await app.PullAsync(Ct);
        Assert.Equal(ExpectedIds(app, start.AddDays(-1), start), (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
    }

    [Fact]
    public async Task RunAsync_NewIncidents_QueueTheirSourcesOncePerRunAsBase64Messages()
    {
        await using var app = await AppHarness.StartAsync(azurite);

        var result = await app.PullAsync(Ct);

        var requests = await DrainQueueAsync(app);
        Assert.Equal(result.Messages, requests.Count);
        var refs = requests.SelectMany(r => r.Sources.SelectMany(s => s.Incidents.Select(i => (s.Ip, i.Id)))).ToList();
        Assert.Equal(refs.Count, refs.Distinct().Count());
        var rows = await AllRowsAsync(app);
        var expected = rows.SelectMany(r => r.ReadTopIps().Select(t => (t.Ip, r.IncidentId))).Distinct().ToHashSet();
        Assert.Equal(expected, refs.ToHashSet());
        Assert.All(requests, r =>
        {
            Assert.Equal(1, r.Version);
            Assert.Equal(5, r.TenantId);
            Assert.Equal(result.RunId, r.RunId);
        });
    }

    [Fact]
    public async Task RunAsync_Incidents_StoreTheirSecurityIssues()
    {
        await using var app = await AppHarness.StartAsync(azurite);

        await app.PullAsync(Ct);

        var vulns = await app.Get<VulnerabilityCatalog>().GetAllAsync(5, Ct);
        var rows = await AllRowsAsync(app);
        Assert.All(rows.Select(r => r.VulnerabilityId).Distinct(), id =>
        {
            Assert.True(vulns.TryGetValue(id, out var v));
            Assert.True(v!.Found);
            Assert.Equal(app.Simulator.Data.Vulnerabilities.Single(s => s.Id == id).Title, v.Title);
        });
    }

    [Fact]
    public async Task RunAsync_VulnerabilityEndpointFails_StillStoresIncidentsAndKeepsTheIdsPending()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:MaxRetries"] = "1" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Endpoint = "vuln", Times = 0 });

        var result = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        var rows = await AllRowsAsync(app);
        Assert.NotEmpty(rows);
        var vulns = await app.Get<VulnerabilityCatalog>().GetAllAsync(5, Ct);
        Assert.Equal(rows.Select(r => r.VulnerabilityId).ToHashSet(), vulns.Keys.ToHashSet());
        Assert.All(vulns.Values, v =>
        {
            Assert.False(v.Found);
            Assert.Null(v.Title);
            Assert.Contains("500", v.LastError, StringComparison.Ordinal);
            Assert.True(v.NextAttemptAt > app.Clock.GetUtcNow());
        });
    }

    [Fact]
    public async Task RunAsync_CheckpointChangedByAnotherRun_Conflicts()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        await app.PullAsync(Ct);
        var store = app.Get<CheckpointStore>();
        var mine = await CheckpointAsync(app);
        var theirs = await CheckpointAsync(app);
        theirs.LastRunId = "other";
        await store.SaveAsync(5, theirs, Ct);

        mine.PulledUntil = mine.PulledUntil!.Value.AddHours(1);
        await Assert.ThrowsAsync<CheckpointConflictException>(() => store.SaveAsync(5, mine, Ct));
    }
}
