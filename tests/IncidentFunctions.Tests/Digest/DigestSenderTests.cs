using System.Globalization;
using System.Text.Json.Nodes;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Incidents;
using IncidentFunctions.Operations;
using IncidentFunctions.Tests.Channels;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IncidentFunctions.Tests.Digest;

/// <summary>
/// <c>SendDailyDigest</c> end to end: the real composition root on Azurite (report PDF, ledger, channel health), fake
/// Slack, Teams, Discord and generic receivers, and a manual clock stepping through send times, DST changes and outages.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class DigestSenderTests(AzuriteFixture azurite) : IAsyncDisposable
{
    internal const long Tenant = 77;
    internal const string GenericSecret = "FAKE-digest-secret-NOT-A-SECRET-000000000";
    internal static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(3, 32).Select(i => (byte)i).ToArray());
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly Dictionary<ChannelKind, FakeChatPlatform> _platforms = [];

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_BeforeAndAfterTheLocalSendTime_PostsYesterdayOnceToEveryPlatform()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await StartAsync(Utc(2026, 11, 20, 7, 45));
        await SeedAsync(app, Incident("a:1", Utc(2026, 11, 19, 9, 0), hits: 40), Incident("a:2", Utc(2026, 11, 19, 13, 0), hits: 12, status: IncidentStatus.Monitoring));

        var early = await RunAsync(app);
        app.Clock.Set(Utc(2026, 11, 20, 8, 0));
        var due = await RunAsync(app);

        Assert.DoesNotContain(early.Deliveries, d => d.Status == DigestDeliveryStatus.Delivered);
        Assert.Equal(4, due.Count(DigestDeliveryStatus.Delivered));
        foreach (var platform in _platforms.Values)
        {
            var post = Assert.Single(platform.Received);
            Assert.Empty(post.ShapeErrors);
        }

        var generic = JsonNode.Parse(_platforms[ChannelKind.Generic].Received[0].Body)!;
        Assert.Equal("2026-11-19", generic["day"]!.GetValue<string>());
        Assert.Equal(2, generic["figures"]!["incidents"]!.GetValue<int>());
        Assert.Equal(1, generic["figures"]!["byStatus"]!["monitoring"]!.GetValue<int>());
        Assert.Equal("a:1", generic["topIncidents"]![0]!["id"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{64}$", generic["report"]!["sha256"]!.GetValue<string>());
        Assert.StartsWith("https://func.example.test/api/reports/shared/daily/2026-11-19.pdf?exp=", generic["report"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Utc(2026, 11, 27, 8, 0), DateTimeOffset.Parse(generic["report"]!["expiresAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Contains("2 incidents", _platforms[ChannelKind.Slack].Received[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EveryQuarterHourForTwoDays_NeverPostsADayTwice()
    {
        var app = await StartAsync(Utc(2026, 11, 20, 6, 0));

        for (var now = Utc(2026, 11, 20, 6, 0); now < Utc(2026, 11, 22, 6, 0); now = now.AddMinutes(15))
        {
            app.Clock.Set(now);
            await RunAsync(app);
        }

        foreach (var platform in _platforms.Values)
        {
            var days = platform.Received.Select(p => Day(platform.Kind, p.Body)).ToList();
            Assert.Equal(["2026-11-19", "2026-11-20"], days);
        }
    }

    [Theory]
    [InlineData(ChannelKind.Slack)]
    [InlineData(ChannelKind.Teams)]
    [InlineData(ChannelKind.Discord)]
    public async Task RunAsync_CrashBetweenPostAndLedgerWrite_ChatIsNotPostedAgain(ChannelKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await StartAsync(Utc(2026, 11, 20, 8, 0), only: kind);
        using var crash = new CancellationTokenSource();
        // The platform takes the post, then the process dies before the answer is recorded.
        _platforms[kind].Then(async context =>
        {
            await crash.CancelAsync();
            await FakeChatPlatform.Hang(TimeSpan.FromSeconds(30))(context);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunKilledByAsync(app, crash));
        var duringLease = await RunAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(10)); // beyond the lease: the crashed run is presumed dead
        var afterLease = await RunAsync(app);
        var later = await RunAsync(app);

        Assert.Single(_platforms[kind].Received);
        Assert.Equal(DigestDeliveryStatus.InProgressElsewhere, Assert.Single(duringLease.Deliveries).Status);
        Assert.Equal(DigestDeliveryStatus.Unknown, Assert.Single(afterLease.Deliveries).Status);
        Assert.Empty(later.Deliveries);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1503 && r.Level == LogLevel.Error);
        Assert.Equal(DeliveryState.Unknown, (await app.Get<DeliveryLedger>().GetRangeAsync(Tenant, new LocalDate(2026, 11, 19), new LocalDate(2026, 11, 19), ct))[(new LocalDate(2026, 11, 19), kind.ToString().ToLowerInvariant())].ReadState());
    }

    [Fact]
    public async Task RunAsync_OneReceiverHangs_TheOthersAreDeliveredWithoutWaitingForIt()
    {
        var app = await StartAsync(Utc(2026, 11, 20, 8, 0), settings: new() { ["Digest:AttemptTimeout"] = "00:00:05" });
        _platforms[ChannelKind.Slack].Then(FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)));

        var result = await RunAsync(app);

        // Slack is the first channel: one after another, every other post would wait out its 5 s timeout.
        var slackAt = Assert.Single(_platforms[ChannelKind.Slack].Received).At;
        foreach (var kind in new[] { ChannelKind.Teams, ChannelKind.Discord, ChannelKind.Generic })
        {
            var at = Assert.Single(_platforms[kind].Received).At;
            Assert.True((at - slackAt).Duration() < TimeSpan.FromSeconds(2.5), $"{kind} was posted {at - slackAt} after Slack's hanging post");
        }

        Assert.Equal(DigestDeliveryStatus.Unknown, result.Deliveries.Single(d => d.Channel == "slack").Status);
        Assert.Equal(3, result.Count(DigestDeliveryStatus.Delivered));
    }

    [Fact]
    public async Task RunAsync_GenericNotAnswered_IsLoggedAsSentAgainAndTheNextRunSendsItUnderTheSameId()
    {
        var app = await StartAsync(Utc(2026, 11, 20, 8, 0), only: ChannelKind.Generic, settings: new() { ["Digest:AttemptTimeout"] = "00:00:01", ["Digest:MaxRetries"] = "1" });
        _platforms[ChannelKind.Generic].Then(FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)), FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)));

        var first = await RunAsync(app);
        var next = await RunAsync(app);

        Assert.Equal(DigestDeliveryStatus.Unknown, Assert.Single(first.Deliveries).Status);
        Assert.Equal(DigestDeliveryStatus.Delivered, Assert.Single(next.Deliveries).Status);
        var ids = _platforms[ChannelKind.Generic].Received.Select(p => p.Headers[WebhookSigner.DeliveryHeader]).Distinct();
        Assert.Single(ids);
        Assert.Equal(3, _platforms[ChannelKind.Generic].Received.Count);
        // The log says what happens, not "not posted again".
        var logged = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1516);
        Assert.Contains("sends it again under the same delivery id", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Id == 1503);
    }

    [Fact]
    public async Task RunAsync_GenericCrashBetweenPostAndLedgerWrite_IsPostedAgainUnderTheSameDeliveryId()
    {
        var app = await StartAsync(Utc(2026, 11, 20, 8, 0), only: ChannelKind.Generic);
        using var crash = new CancellationTokenSource();
        _platforms[ChannelKind.Generic].Then(async context =>
        {
            await crash.CancelAsync();
            await FakeChatPlatform.Hang(TimeSpan.FromSeconds(30))(context);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunKilledByAsync(app, crash));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var after = await RunAsync(app);

        Assert.Equal(DigestDeliveryStatus.Delivered, Assert.Single(after.Deliveries).Status);
        var ids = _platforms[ChannelKind.Generic].Received.Select(p => p.Headers[WebhookSigner.DeliveryHeader]).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1517);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Id is 1503 or 1511);
    }

    [Fact]
    public async Task RunAsync_AfterAFiveDayOutage_CatchesUpTheLastThreeDaysOldestFirstAndExpiresTheRest()
    {
        var app = await StartAsync(Utc(2026, 11, 20, 8, 0));
        await RunAsync(app); // 2026-11-19 delivered; then the function app is down until the 25th

        app.Clock.Set(Utc(2026, 11, 25, 9, 30));
        var catchUp = await RunAsync(app);
        var next = await RunAsync(app);

        foreach (var platform in _platforms.Values)
        {
            var days = platform.Received.Select(p => Day(platform.Kind, p.Body)).ToList();
            Assert.Equal(["2026-11-19", "2026-11-22", "2026-11-23", "2026-11-24"], days);
        }

        // The 20th and 21st are beyond the three days caught up on: recorded as expired, with a warning, once.
        var expired = catchUp.Deliveries.Where(d => d.Status == DigestDeliveryStatus.Expired).ToList();
        Assert.Equal(8, expired.Count);
        Assert.Equal([new LocalDate(2026, 11, 20), new LocalDate(2026, 11, 21)], expired.Select(d => d.Day).Distinct().Order());
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1509);
        Assert.DoesNotContain(next.Deliveries, d => d.Status == DigestDeliveryStatus.Delivered);
    }

    [Theory]
    // Europe/Berlin switches to CEST on 2026-03-29 and back to CET on 2026-10-25; New York on 2026-03-08 and 2026-11-01.
    [InlineData("Europe/Berlin", "08:00", 2026, 3, 27, new[] { "2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z", "2026-03-30T06:00:00Z" })]
    [InlineData("Europe/Berlin", "08:00", 2026, 10, 23, new[] { "2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z", "2026-10-26T07:00:00Z" })]
    [InlineData("Europe/Berlin", "02:30", 2026, 3, 27, new[] { "2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z" })]
    [InlineData("America/New_York", "07:00", 2026, 3, 6, new[] { "2026-03-07T12:00:00Z", "2026-03-08T11:00:00Z", "2026-03-09T11:00:00Z" })]
    [InlineData("America/New_York", "01:30", 2026, 10, 30, new[] { "2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" })]
    public async Task RunAsync_AcrossDstChanges_PostsEachDayOnceAtTheLocalSendTime(string zone, string sendTime, int y, int m, int d, string[] expected)
    {
        var start = new DateTimeOffset(y, m, d, 20, 0, 0, TimeSpan.Zero);
        var app = await StartAsync(start, only: ChannelKind.Generic, zone: zone, sendTime: sendTime);
        var firstPost = new Dictionary<string, DateTimeOffset>();

        // The UTC timer fires every 15 minutes for three days.
        for (var now = start; now < start.AddDays(3); now = now.AddMinutes(15))
        {
            app.Clock.Set(now);
            var run = await RunAsync(app);
            foreach (var delivery in run.Deliveries.Where(x => x.Status == DigestDeliveryStatus.Delivered))
            {
                Assert.True(firstPost.TryAdd(ReportCalendarDay(delivery.Day), now), $"{delivery.Day} posted twice");
            }
        }

        // The channel is new at the start: its first digest is the first one due after that.
        Assert.Equal(expected.Select(e => DateTimeOffset.Parse(e, CultureInfo.InvariantCulture)), firstPost.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value));
    }

    [Fact]
    public async Task RunAsync_ChannelThatKeepsFailing_IsDisabledShownByStatusAndReEnabledByGeneration()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = UniqueNames.TablePrefix();
        var settings = new Dictionary<string, string?> { ["Storage:TablePrefix"] = prefix, ["Digest:AutoDisable:MinDeliveries"] = "3", ["Digest:AutoDisable:FailureRate"] = "0.6" };
        var app = await StartAsync(Utc(2026, 11, 20, 8, 0), settings: settings);
        _platforms[ChannelKind.Discord].Then(Enumerable.Repeat(FakeChatPlatform.Status(404, """{"message": "Unknown Webhook", "code": 10015}""", "application/json"), 3).ToArray());

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<DigestDeliveryException>(() => RunAsync(app));
            app.Clock.Advance(TimeSpan.FromMinutes(15));
        }

        var skipped = await RunAsync(app);
        JsonObject status;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            status = await scope.ServiceProvider.GetRequiredService<DigestStatusEndpoint>().BuildAsync(ct);
        }

        Assert.Equal(3, _platforms[ChannelKind.Discord].Received.Count);
        Assert.All(_platforms.Where(p => p.Key != ChannelKind.Discord), p => Assert.Single(p.Value.Received));
        Assert.Equal(DigestDeliveryStatus.ChannelDisabled, Assert.Single(skipped.Deliveries, x => x.Channel == "discord").Status);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1504 && r.Level == LogLevel.Critical);
        var discord = status["channels"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "discord")!;
        Assert.False(discord["enabled"]!.GetValue<bool>());
        Assert.Equal("Set Digest:Channels:2:Generation to 1", discord["reEnable"]!.GetValue<string>());
        Assert.Equal(3, discord["recentFailures"]!.GetValue<int>());
        Assert.Equal("2026-11-19", discord["deliveries"]![0]!["day"]!.GetValue<string>());
        Assert.Equal("Failed", discord["deliveries"]![0]!["state"]!.GetValue<string>());
        Assert.Contains("HTTP 404", discord["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", discord["host"]!.GetValue<string>());
        var statusText = status.ToJsonString();
        Assert.All(_platforms.Values, p => Assert.DoesNotContain(p.SecretToken, statusText, StringComparison.Ordinal));

        // Fixed and re-enabled by configuration: the same storage, generation 1.
        await app.DisposeAsync();
        _disposables.Remove(app);
        settings["Digest:Channels:2:Generation"] = "1";
        var restarted = await StartAsync(Utc(2026, 11, 20, 9, 30), settings: settings);
        var afterFix = await RunAsync(restarted);

        Assert.Equal(DigestDeliveryStatus.Delivered, Assert.Single(afterFix.Deliveries, x => x.Channel == "discord").Status);
        Assert.Equal(4, _platforms[ChannelKind.Discord].Received.Count);
        Assert.Contains(restarted.Logs.GetSnapshot(), r => r.Id.Id == 1505);
    }

    [Fact]
    public async Task RunAsync_WeeklyChannels_PostTheClosedWeekOnceWithItsTrendsAndASignedLinkToItsPdf()
    {
        var ct = TestContext.Current.CancellationToken;
        // Slack, Teams and Generic take only the weekly digest; Discord only the daily one.
        var settings = new Dictionary<string, string?>();
        foreach (var i in new[] { 0, 1, 3 })
        {
            settings[$"Digest:Channels:{i}:Digest"] = "false";
            settings[$"Digest:Channels:{i}:Weekly"] = "true";
        }

        var app = await StartAsync(Utc(2026, 11, 23, 6, 30), zone: "Europe/Berlin", settings: settings); // Mon 07:30 CET
        const string Returning = "203.0.113.9";
        await SeedAsync(
            app,
            Incident("p:1", Utc(2026, 11, 12, 10, 0), ip: "198.51.100.1"), // week 46: issue 11 was exploited before
            Incident("a:1", Utc(2026, 11, 16, 10, 0), hits: 40, ip: Returning),
            Incident("a:2", Utc(2026, 11, 18, 10, 0), hits: 30, ip: Returning) with { VulnerabilityId = 12 },
            Incident("a:3", Utc(2026, 11, 17, 10, 0), hits: 5, ip: "198.51.100.7"));

        await RunAsync(app);
        var before = _platforms.Values.Sum(p => p.Received.Count);
        app.Clock.Set(Utc(2026, 11, 23, 7, 0)); // Mon 08:00 CET: the week is due
        var due = await RunAsync(app);
        app.Clock.Set(Utc(2026, 11, 23, 7, 15));
        var again = await RunAsync(app);

        Assert.Equal(0, before);
        Assert.Equal(
            ["2026-11-22/discord", "2026-W47/generic", "2026-W47/slack", "2026-W47/teams"],
            due.Deliveries.Where(d => d.Status == DigestDeliveryStatus.Delivered).Select(d => $"{d.Period.Key}/{d.Channel}").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(again.Deliveries, d => d.Status == DigestDeliveryStatus.Delivered);
        Assert.All(_platforms.Values, p => Assert.Single(p.Received));
        Assert.All(_platforms.Values, p => Assert.Empty(p.Received[0].ShapeErrors));
        Assert.DoesNotContain("2026-W47", _platforms[ChannelKind.Discord].Received[0].Body, StringComparison.Ordinal);
        Assert.Contains("Week 2026-W47 (16–22 Nov 2026)", _platforms[ChannelKind.Slack].Received[0].Body, StringComparison.Ordinal);

        var generic = JsonNode.Parse(_platforms[ChannelKind.Generic].Received[0].Body)!;
        Assert.Equal("weekly_digest", generic["type"]!.GetValue<string>());
        Assert.Equal("2026-W47", generic["period"]!["key"]!.GetValue<string>());
        Assert.StartsWith("w-77-2026-W47-generic-", generic["deliveryId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, generic["figures"]!["incidents"]!.GetValue<int>());
        Assert.Equal(75, generic["figures"]!["hits"]!.GetValue<long>());
        Assert.Equal(1, generic["previousFigures"]!["incidents"]!.GetValue<int>());
        var trends = generic["trends"]!;
        Assert.Equal(1, trends["recurringAttackers"]!.GetValue<int>());
        Assert.Equal(Returning, trends["topRecurring"]![0]!["ip"]!.GetValue<string>());
        Assert.Equal(2, trends["topRecurring"]![0]!["days"]!.GetValue<int>());
        Assert.Equal(70, trends["topRecurring"]![0]!["hits"]!.GetValue<long>());
        Assert.Equal(1, trends["newSecurityIssues"]!.GetValue<int>()); // 12
        Assert.Equal(1, trends["stillExploitedSecurityIssues"]!.GetValue<int>()); // 11
        Assert.Equal("2026-11-16", trends["busiestDay"]!["day"]!.GetValue<string>());
        Assert.StartsWith("https://func.example.test/api/reports/shared/archive?", generic["archive"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("All reports", _platforms[ChannelKind.Slack].Received[0].Body, StringComparison.Ordinal);

        // The link is to the week's PDF, as stored, and its signature verifies.
        var url = new Uri(generic["report"]!["url"]!.GetValue<string>());
        Assert.StartsWith("https://func.example.test/api/reports/shared/weekly/2026-W47.pdf?exp=", url.AbsoluteUri, StringComparison.Ordinal);
        var stored = await app.Services.CreateScope().ServiceProvider.GetRequiredService<IncidentFunctions.Reports.PeriodReportService>()
            .GetOrCreateAsync(IncidentFunctions.Calendar.ReportPeriod.Week(2026, 47), ct);
        Assert.Equal(stored.Sha256, generic["report"]!["sha256"]!.GetValue<string>());
        var query = new Microsoft.AspNetCore.Http.QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query));
        Assert.Equal(IncidentFunctions.Reports.SignatureCheck.Valid, app.Get<IncidentFunctions.Reports.ReportLinkSigner>().Verify(IncidentFunctions.Reports.PeriodReportEndpoint.PathFor("weekly", "2026-W47"), query));
    }

    [Fact]
    public async Task RunAsync_MonthlyDigestFailingOnce_IsPostedOnceByTheNextRun()
    {
        var settings = new Dictionary<string, string?> { ["Digest:Channels:0:Digest"] = "false", ["Digest:Channels:0:Monthly"] = "true" };
        var app = await StartAsync(Utc(2026, 11, 30, 12, 0), only: ChannelKind.Generic, settings: settings);
        await SeedAsync(app, Incident("m:1", Utc(2026, 11, 3, 10, 0)), Incident("m:2", Utc(2026, 11, 27, 10, 0), ip: "198.51.100.4"));
        var down = true;
        _platforms[ChannelKind.Generic].DownWhile(() => down, 500);

        await RunAsync(app);
        app.Clock.Set(Utc(2026, 12, 1, 8, 0));
        await Assert.ThrowsAsync<DigestDeliveryException>(() => RunAsync(app));
        down = false;
        app.Clock.Set(Utc(2026, 12, 1, 8, 15));
        var retried = await RunAsync(app);
        app.Clock.Set(Utc(2026, 12, 2, 8, 15));
        var later = await RunAsync(app);

        var delivered = Assert.Single(retried.Deliveries);
        Assert.Equal(("2026-11", DigestDeliveryStatus.Delivered), (delivered.Period.Key, delivered.Status));
        Assert.DoesNotContain(later.Deliveries, d => d.Status == DigestDeliveryStatus.Delivered);
        var posts = _platforms[ChannelKind.Generic].Received.Where(p => p.Body.Contains("monthly_digest", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, posts.Count); // two attempts in the failing run (Digest:MaxRetries 1), then the delivery: one delivery id
        Assert.Single(posts.Select(p => JsonNode.Parse(p.Body)!["deliveryId"]!.GetValue<string>()).Distinct());
        Assert.Equal(2, JsonNode.Parse(posts[^1].Body)!["figures"]!["incidents"]!.GetValue<int>());
    }

    [Fact]
    public async Task RunAsync_MonthlyDigestFailingPastTheCatchUpDays_ExpiresOnceWithAWarning()
    {
        var settings = new Dictionary<string, string?> { ["Digest:Channels:0:Digest"] = "false", ["Digest:Channels:0:Monthly"] = "true" };
        var app = await StartAsync(Utc(2026, 11, 30, 12, 0), only: ChannelKind.Generic, settings: settings);
        _platforms[ChannelKind.Generic].DownWhile(() => true, 500);

        app.Clock.Set(Utc(2026, 12, 1, 8, 0));
        await Assert.ThrowsAsync<DigestDeliveryException>(() => RunAsync(app));
        app.Clock.Set(Utc(2026, 12, 3, 8, 0));
        await Assert.ThrowsAsync<DigestDeliveryException>(() => RunAsync(app));
        app.Clock.Set(Utc(2026, 12, 4, 8, 0)); // three days after it was due
        var expired = await RunAsync(app);
        app.Clock.Set(Utc(2026, 12, 5, 8, 0));
        var after = await RunAsync(app);

        var record = Assert.Single(expired.Deliveries);
        Assert.Equal(("2026-11", DigestDeliveryStatus.Expired), (record.Period.Key, record.Status));
        Assert.Empty(after.Deliveries);
        Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1509);
    }

    [Fact]
    public async Task RunAsync_NoChannels_DoesNothing()
    {
        var app = await StartAsync(Utc(2026, 11, 20, 9, 0), only: (ChannelKind)(-1));

        var result = await RunAsync(app);

        Assert.Empty(result.Deliveries);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables) await d.DisposeAsync();
        foreach (var p in _platforms.Values) await p.DisposeAsync();
    }

    internal static Incident Incident(string id, DateTimeOffset first, long hits = 5, IncidentStatus status = IncidentStatus.Blocked, string ip = "203.0.113.9")
        => TestIncidents.Sqli(Tenant, id, first, TimeSpan.FromMinutes(20), hits, ip, method: "POST", status: status);

    private static string ReportCalendarDay(LocalDate day) => IncidentFunctions.Calendar.ReportCalendar.IsoDay(day);

    private static async Task SeedAsync(AppHarness app, params Incident[] incidents)
        => await app.Get<IncidentStore>().UpsertAsync(incidents, app.Clock.GetUtcNow(), TestContext.Current.CancellationToken);

    private static Task<DigestRunResult> RunAsync(AppHarness app) => app.Get<DigestSender>().RunAsync(TestContext.Current.CancellationToken);

    /// <summary>A run that is killed (host shutdown, crash) when <paramref name="crash"/> fires.</summary>
    private static async Task<DigestRunResult> RunKilledByAsync(AppHarness app, CancellationTokenSource crash)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(crash.Token, TestContext.Current.CancellationToken);
        return await app.Get<DigestSender>().RunAsync(linked.Token);
    }

    /// <summary>The report day a posted body is about, whatever the platform.</summary>
    private static string Day(ChannelKind kind, string body)
    {
        if (kind == ChannelKind.Generic) return JsonNode.Parse(body)!["day"]!.GetValue<string>();
        var match = System.Text.RegularExpressions.Regex.Match(body, @"20\d\d-\d\d-\d\d");
        return match.Value;
    }

    private async Task<AppHarness> StartAsync(
        DateTimeOffset now,
        ChannelKind? only = null,
        string zone = "UTC",
        string sendTime = "08:00",
        Dictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = Tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:TimeZone"] = zone,
            ["Reports:SigningKeys:k1"] = SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://func.example.test/api/",
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
            ["Digest:SendTime"] = sendTime,
            ["Digest:MaxRetries"] = "1",
            ["Digest:RetryBaseDelay"] = "00:00:00.010",
            ["Digest:AttemptTimeout"] = "00:00:02",
            ["Digest:TotalTimeout"] = "00:00:10",
        };
        var index = 0;
        foreach (var kind in ChatRenderer.ChatKinds)
        {
            if (only is { } o && o != kind) continue;
            if (!_platforms.TryGetValue(kind, out var platform))
            {
                platform = await FakeChatPlatform.StartAsync(kind);
                _platforms[kind] = platform;
            }

            var key = $"Digest:Channels:{index++}:";
            configuration[key + "Name"] = kind.ToString().ToLowerInvariant();
            configuration[key + "Kind"] = kind.ToString();
            configuration[key + "Url"] = platform.Url.AbsoluteUri;
            if (kind == ChannelKind.Generic) configuration[key + "Secret"] = GenericSecret;
        }

        foreach (var (key, value) in settings ?? []) configuration[key] = value;
        var app = await AppHarness.StartAsync(azurite, Tenant, now, configuration);
        _disposables.Add(app);
        return app;
    }
}
