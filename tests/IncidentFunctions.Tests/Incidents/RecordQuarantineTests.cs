using System.Text.Json;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.Reports;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;
using NodaTime;

namespace IncidentFunctions.Tests.Incidents;

/// <summary>Bad records mixed into ordinary pages, end to end through the puller, the simulator and Azurite.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class RecordQuarantineTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly LocalDate Today = new(2026, 11, 20);

    private static Task<AppHarness> StartAsync(AzuriteFixture azurite)
        => AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 600, new Dictionary<string, string?>
        {
            ["Wallarm:PageSize"] = "20",
            ["Ingestion:InitialLookback"] = "06:00:00",
        });

    private static async Task<List<IncidentEntity>> AllRowsAsync(AppHarness app)
    {
        var table = new TableServiceClient(app.ConnectionString).GetTableClient(app.TablePrefix + "incidents");
        return await table.QueryAsync<IncidentEntity>(cancellationToken: Ct).ToListAsync(Ct);
    }

    private static async Task<List<CoverageEntity>> CoverageRowsAsync(AppHarness app)
    {
        var table = new TableServiceClient(app.ConnectionString).GetTableClient(app.TablePrefix + "coverage");
        return await table.QueryAsync<CoverageEntity>(cancellationToken: Ct).ToListAsync(Ct);
    }

    /// <summary>Incidents of the last six hours, in a stable order, that are not false positives (reports leave those out).</summary>
    private static List<SimAttack> Incidents(AppHarness app)
    {
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        return app.Simulator.Data.IncidentsIn(now - 6 * 3600, now, now).Where(a => a.State is null).OrderBy(a => a.AttackId, StringComparer.Ordinal).ToList();
    }

    private static void Break(AppHarness app, SimAttack attack, CorruptionKind kind, string field = "domain", string? value = null)
        => app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = kind, Field = field, Target = attack.AttackId, Value = value });

    [Fact]
    public async Task RunAsync_BadRecordsOfEachKindInOrdinaryPages_StoresEveryGoodOneQuarantinesTheRestAndMovesTheCheckpoint()
    {
        await using var app = await StartAsync(azurite);
        var all = Incidents(app);
        Assert.True(all.Count > 100, $"only {all.Count} incidents");
        // Every 9th incident, so the bad ones sit on different pages among good ones.
        var picked = all.Where((_, i) => i % 9 == 4).Take(15).ToList();
        string[] stringFields = ["domain", "path", "parameter", "method", "type", "target", "block_status", "attackid"];
        for (var i = 0; i < stringFields.Length; i++) Break(app, picked[i], CorruptionKind.UnpairedSurrogate, stringFields[i]);
        Break(app, picked[8], CorruptionKind.InvalidUtf8, "path");
        Break(app, picked[9], CorruptionKind.ReversedTimes);
        Break(app, picked[10], CorruptionKind.NumberAsString, "first_time");
        var missingId = picked[11];
        var huge = picked[12];
        var textForTime = picked[13];
        var brokenJson = picked[14];
        Break(app, missingId, CorruptionKind.MissingId);
        Break(app, huge, CorruptionKind.HugeField, "path");
        Break(app, textForTime, CorruptionKind.NumberAsString, "last_time", value: "yesterday");
        Break(app, brokenJson, CorruptionKind.BrokenJson, "hits");

        var result = await app.PullAsync(Ct);

        // The window completed and the checkpoint moved.
        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        var checkpoint = (await app.Get<CheckpointStore>().GetAsync(5, Ct))!;
        Assert.Equal(app.Clock.GetUtcNow(), checkpoint.PulledUntil);

        // Every good record is stored, the repaired ones with U+FFFD where their text was broken.
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var expected = app.Simulator.Data.IncidentsIn(now - 6 * 3600, now, now).Select(a => a.AttackId).ToHashSet();
        var unreadable = new[] { missingId, huge, textForTime, brokenJson };
        expected.ExceptWith(unreadable.Select(a => a.AttackId));
        var rows = await AllRowsAsync(app);
        Assert.Equal(expected, rows.Select(r => r.IncidentId).ToHashSet());
        IncidentEntity Row(SimAttack a) => rows.First(r => r.IncidentId == a.AttackId);
        Assert.Equal("\uFFFD" + picked[0].Domain, Row(picked[0]).Domain);
        Assert.Equal("\uFFFD" + picked[1].Path, Row(picked[1]).Path);
        Assert.Equal("\uFFFD" + picked[2].Parameter, Row(picked[2]).Parameter);
        Assert.Equal("\uFFFD" + picked[3].Method, Row(picked[3]).Method);
        Assert.Equal("\uFFFD" + picked[4].Type, Row(picked[4]).AttackType);
        Assert.Equal("\uFFFD" + picked[5].Target, Row(picked[5]).Target);
        Assert.Equal("\uFFFD" + picked[6].BlockStatus, Row(picked[6]).BlockStatus);
        Assert.Equal(nameof(IncidentStatus.Unknown), Row(picked[6]).Status);
        Assert.Equal(picked[7].Domain, Row(picked[7]).Domain); // a damaged attackid: filed under the id pair
        Assert.Equal("\uFFFD" + picked[8].Path, Row(picked[8]).Path);
        Assert.All(picked.Take(9), a => Assert.Contains("U+FFFD", Row(a).ReadNotes, StringComparison.Ordinal));
        var reversed = Row(picked[9]);
        Assert.True(reversed.TimesReversed);
        Assert.Equal((picked[9].FirstTime, picked[9].LastTimeAt(now)), (reversed.FirstSeen.ToUnixTimeSeconds(), reversed.LastSeen.ToUnixTimeSeconds()));
        Assert.Equal(picked[10].FirstTime, Row(picked[10]).FirstSeen.ToUnixTimeSeconds());
        Assert.Equal("", Row(picked[10]).ReadNotes);
        Assert.All(rows.Where(r => !picked.Any(p => p.AttackId == r.IncidentId)), r => Assert.Equal("", r.ReadNotes));

        // The unreadable ones are quarantined, with reason, bounded raw JSON, run and window, and counted.
        var index = await app.Get<RecordQuarantine>().GetIndexAsync(5, Ct);
        Assert.Equal(4, index.Count);
        Assert.Contains(index, q => q.RecordId is null && q.RowKey.StartsWith("sha256:", StringComparison.Ordinal) && q.Reason.Contains("no id", StringComparison.Ordinal));
        var hugeEntry = Assert.Single(index, q => q.RecordId == huge.AttackId);
        Assert.Contains("over the 256 KiB", hugeEntry.Reason, StringComparison.Ordinal);
        Assert.True(hugeEntry.RawBytes > 1024 * 1024);
        Assert.True(hugeEntry.RawJson.Length < 17_000, $"{hugeEntry.RawJson.Length} characters of raw JSON kept");
        Assert.Contains("'last_time' is unusable (text 'yesterday')", Assert.Single(index, q => q.RecordId == textForTime.AttackId).Reason, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Assert.Single(index, q => q.RecordId == brokenJson.AttackId).Reason, StringComparison.Ordinal);
        Assert.All(index, q =>
        {
            Assert.Equal(result.RunId, q.RunId);
            Assert.Equal(5, q.TenantId);
            Assert.Equal(app.Clock.GetUtcNow(), q.WindowTo);
            Assert.Equal("20261120", q.Days);
            Assert.Null(q.ResolvedAt);
            Assert.Equal(64, q.Fingerprint.Length);
        });
        Assert.Equal(4, result.Quarantined);
        Assert.Equal((4, 4), (checkpoint.QuarantinedRecords, checkpoint.LastRunQuarantined));
        Assert.Equal(4, Assert.Single(await CoverageRowsAsync(app)).Quarantined);
        Assert.Equal(4, await app.Get<RecordQuarantine>().CountOpenAsync(5, Today, Ct));
        Assert.Equal(4, app.Logs.GetSnapshot().Count(l => l.Id.Id == 1106));
    }

    [Fact]
    public async Task RunAsync_RecordWithAnOverlongId_IsQuarantinedByFingerprintAndTheRestStored()
    {
        await using var app = await StartAsync(azurite);
        var all = Incidents(app);
        var longId = all[7];
        // Table keys hold at most 512 characters: a row or a quarantine entry keyed by this id would fail on every run.
        app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.HugeField, Field = "attackid", Target = longId.AttackId, Bytes = 2_000 });

        var result = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var expected = app.Simulator.Data.IncidentsIn(now - 6 * 3600, now, now).Select(a => a.AttackId).Where(id => id != longId.AttackId).ToHashSet();
        Assert.Equal(expected, (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
        var entry = Assert.Single(await app.Get<RecordQuarantine>().GetIndexAsync(5, Ct));
        Assert.StartsWith("sha256:", entry.RowKey, StringComparison.Ordinal);
        Assert.Contains("id is 2,", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(1, result.Quarantined);
    }

    [Fact]
    public async Task RunAsync_EveryPathALongRunOfMarkup_StoresEveryIncidentAndMovesTheCheckpoint()
    {
        await using var app = await StartAsync(azurite);
        // Readable records, but JSON escapes each '<' to six bytes: a day partition's 100 rows would make a 9.6 MB
        // transaction, which the service refuses on every run unless the writer cuts it smaller.
        app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.HugeField, Field = "path", Every = 1, Bytes = 20_000, Fill = '<' });

        var result = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        Assert.Equal(app.Clock.GetUtcNow(), (await app.Get<CheckpointStore>().GetAsync(5, Ct))!.PulledUntil);
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var expected = app.Simulator.Data.IncidentsIn(now - 6 * 3600, now, now).Select(a => a.AttackId).ToHashSet();
        var rows = await AllRowsAsync(app);
        Assert.True(expected.Count > 100, $"only {expected.Count} incidents");
        Assert.Equal(expected, rows.Select(r => r.IncidentId).ToHashSet());
        Assert.All(rows, r => Assert.InRange(r.Path!.Length, 15_000, IncidentEntity.MaxPathChars));
        Assert.Equal(0, result.Quarantined);
    }

    [Fact]
    public async Task RunAsync_BadRecords_ReportAndDigestSayHowManyCouldNotBeRead()
    {
        await using var app = await StartAsync(azurite);
        var all = Incidents(app);
        Break(app, all[3], CorruptionKind.MissingId);
        Break(app, all[40], CorruptionKind.HugeField, "path");
        Break(app, all[80], CorruptionKind.BrokenJson, "hits");
        await app.PullAsync(Ct);

        var report = await app.Get<DailyReportBuilder>().BuildAsync(5, Today, Ct);
        var pdf = new DailyReportDocument(report, PageGeometry.A4Landscape).Render();
        var link = new ReportLink(new Uri("https://func.example.test/api/reports/shared/daily/2026-11-20.pdf?exp=1&kid=k1&sig=EXAMPLE-not-a-signature"), app.Clock.GetUtcNow().AddDays(7), new string('0', 64), pdf.Pdf.Length, pdf.Pages);
        var digest = DigestComposer.Compose(report, link, app.Get<ReportCalendar>(), new DigestOptions());

        const string line = "3 records from Wallarm could not be read; they are not in these figures.";
        Assert.Equal(3, report.Coverage.UnreadableRecords);
        Assert.Contains(line, string.Join(" ", PdfText.Pages(pdf.Pdf)).Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(3, digest.Coverage!.UnreadableRecords);
        foreach (var kind in new[] { ChannelKind.Slack, ChannelKind.Teams, ChannelKind.Discord })
        {
            var json = ChatRenderer.For(kind).Render(digest, "d-1").Json;
            Assert.Contains(line, JsonDocument.Parse(json).RootElement.ToString(), StringComparison.Ordinal);
        }

        using var generic = JsonDocument.Parse(ChatRenderer.For(ChannelKind.Generic).Render(digest, "d-1").Json);
        Assert.Equal(3, generic.RootElement.GetProperty("coverage").GetProperty("unreadableRecords").GetInt32());
        Assert.False(generic.RootElement.GetProperty("coverage").GetProperty("complete").GetBoolean());
        Assert.Equal(0, generic.RootElement.GetProperty("previousCoverage").GetProperty("unreadableRecords").GetInt32());
    }

    [Fact]
    public async Task RunAsync_QuarantinedRecordArrivesWellFormedLater_IsStoredAndTheEntryResolved()
    {
        await using var app = await StartAsync(azurite);
        var t0 = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        // Ongoing past the next run, so that run's window returns it again.
        var attack = Incidents(app).First(a => a.IsOngoingAt(t0 + 600));
        Break(app, attack, CorruptionKind.HugeField, "path");
        await app.PullAsync(Ct);
        Assert.DoesNotContain(await AllRowsAsync(app), r => r.IncidentId == attack.AttackId);
        Assert.Equal(1, await app.Get<RecordQuarantine>().CountOpenAsync(5, Today, Ct));

        app.Simulator.State.Corruptions.Remove(attack.AttackId);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var result = await app.PullAsync(Ct);

        var row = Assert.Single(await AllRowsAsync(app), r => r.IncidentId == attack.AttackId);
        Assert.Equal(attack.Path, row.Path);
        var entry = Assert.Single(await app.Get<RecordQuarantine>().GetIndexAsync(5, Ct));
        Assert.Equal(app.Clock.GetUtcNow(), entry.ResolvedAt);
        Assert.Equal(result.RunId, entry.ResolvedByRunId);
        Assert.Contains("over the 256 KiB", entry.Reason, StringComparison.Ordinal); // what happened stays readable
        Assert.Equal(0, await app.Get<RecordQuarantine>().CountOpenAsync(5, Today, Ct));
        Assert.Equal(0, (await app.Get<CheckpointStore>().GetAsync(5, Ct))!.QuarantinedRecords);
        Assert.Equal(0, (await app.Get<DailyReportBuilder>().BuildAsync(5, Today, Ct)).Coverage.UnreadableRecords);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1213);
    }

    [Theory]
    [InlineData(CorruptionKind.CutsAnswer)]
    [InlineData(CorruptionKind.FailsAnswer)]
    public async Task RunAsync_RecordThatBreaksEveryAnswerHoldingIt_CostsThatRecordNotThePull(CorruptionKind kind)
    {
        await using var app = await StartAsync(azurite);
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        // Short and long over, so it lies in one or two of the shortest windows.
        var bad = Incidents(app).First(a => a.Duration < 60 && a.FirstTime < now - 3 * 3600);
        Break(app, bad, kind);

        // Read in parts, the page gives every other record; the one it skipped explains the count's one missing.
        var result = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, result.Outcome);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1111);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1226);
        var expected = app.Simulator.Data.IncidentsIn(now - 6 * 3600, now, now).Select(a => a.AttackId).Where(id => id != bad.AttackId).ToHashSet();
        Assert.Equal(expected, (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
        Assert.Equal(1, await app.Get<RecordQuarantine>().CountOpenAsync(5, Today, Ct)); // the day says a record is missing
    }

    [Fact]
    public async Task RunAsync_LongIncidentThatCutsOffEveryAnswer_HoldsNoRunAndIsFiledOnce()
    {
        // Hour-long windows: the first run reads the six hours as six windows, next to each other.
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 600, new Dictionary<string, string?>
        {
            ["Wallarm:PageSize"] = "20",
            ["Ingestion:InitialLookback"] = "06:00:00",
            ["Ingestion:WindowSize"] = "01:00:00",
        });
        var now = app.Clock.GetUtcNow();
        var t0 = now.ToUnixTimeSeconds();
        // Hours long and still going: in every window of its span, in this run and in the next runs' windows.
        var bad = Incidents(app).First(a => a.FirstTime < t0 - 2 * 3600 && a.FirstTime > t0 - 5 * 3600 && a.IsOngoingAt(t0 + 1800));
        Break(app, bad, CorruptionKind.CutsAnswer);

        var outcomes = new List<PullOutcome>();
        for (var run = 0; run < 3; run++)
        {
            if (run > 0) app.Clock.Advance(TimeSpan.FromMinutes(5));
            outcomes.Add((await app.PullAsync(Ct)).Outcome); // each window it lay in held three runs
        }

        Assert.All(outcomes, o => Assert.Equal(PullOutcome.Succeeded, o));
        var end = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var expected = app.Simulator.Data.IncidentsIn(t0 - 6 * 3600, end, end).Select(a => a.AttackId).Where(id => id != bad.AttackId).ToHashSet();
        Assert.Superset(expected, (await AllRowsAsync(app)).Select(r => r.IncidentId).ToHashSet());
        Assert.Equal(1, await app.Get<RecordQuarantine>().CountOpenAsync(5, Today, Ct)); // one record, not one per window
    }

    [Fact]
    public async Task QuarantineAndResolve_UnreadEntries_ChangeTheDaysMarkSoCachedReportsAreRedrawn()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var now = app.Clock.GetUtcNow();
        var day = LocalDate.FromDateTime(now.UtcDateTime);
        var window = new TimeWindow(now.AddMinutes(-5), now);
        var marks = app.Get<DayChangeMarks>();
        async Task<string> MarkAsync() => (await marks.GetAsync(5, day, day, [day], Ct))[day];
        var ledger = await app.Get<RecordQuarantine>().OpenAsync(5, Ct);
        var before = await MarkAsync();

        await ledger.QuarantineAsync("run-1", window, [new WallarmRejectedRecord(-1, QuarantineLedger.UnreadKey(window, 1), "counted, never listed", "", 0, "")], now, Ct);
        var filed = await MarkAsync();
        // Resolved with no incident row written: only the quarantine changes, and the report must still say so.
        await ledger.ResolveUnreadWithinAsync("run-2", window, now, Ct);

        Assert.NotEqual(before, filed);
        Assert.NotEqual(filed, await MarkAsync());
        Assert.Equal(0, await app.Get<RecordQuarantine>().CountOpenAsync(5, day, Ct));
    }

    [Fact]
    public async Task RunAsync_StoredOngoingIncidentSetAsideLater_IsNotTakenAsEvidenceAboutTheTimeFilter()
    {
        await using var app = await StartAsync(azurite);
        var t0 = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        await app.PullAsync(Ct);
        // Started well before the next run's window and still going: the window returns it, though now unreadable.
        var attack = Incidents(app).First(a => a.FirstTime < t0 - 3600 && a.IsOngoingAt(t0 + 600));
        Break(app, attack, CorruptionKind.HugeField, "path");

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.PullAsync(Ct);

        Assert.Equal(1, await app.Get<RecordQuarantine>().CountOpenAsync(5, Today, Ct));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Id.Id == 1215); // "mixed evidence", every run, for a record set aside
    }

    [Fact]
    public async Task RunAsync_RecordNeverListedSeenAgainThroughTheOverlap_IsNeitherFiledTwiceNorHeldAgain()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 3000, new Dictionary<string, string?> { ["Ingestion:InitialLookback"] = "00:05:00" });
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        var day = LocalDate.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        // Over within the last five minutes: in the first run's only window, and in the next run's overlap.
        var bad = app.Simulator.Data.IncidentsIn(now - 300, now, now).First(a => a.FirstTime > now - 280 && a.FirstTime + a.Duration < now - 10);
        Break(app, bad, CorruptionKind.Unlisted);
        for (var run = 1; run < IncidentPuller.ShortRunsBeforeAccepting; run++) await Assert.ThrowsAsync<WallarmCountMismatchException>(() => app.PullAsync(Ct));
        Assert.Equal(PullOutcome.Succeeded, (await app.PullAsync(Ct)).Outcome);
        Assert.Equal(1, await app.Get<RecordQuarantine>().CountOpenAsync(5, day, Ct));

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var next = await app.PullAsync(Ct);

        Assert.Equal(PullOutcome.Succeeded, next.Outcome); // not three more runs held at it
        Assert.Equal(1, await app.Get<RecordQuarantine>().CountOpenAsync(5, day, Ct)); // still one record missing, not two
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1225);
    }
}
