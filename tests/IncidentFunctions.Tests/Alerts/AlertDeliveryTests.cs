using System.Globalization;
using System.Text.Json.Nodes;
using IncidentFunctions.Alerts;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Incidents;
using IncidentFunctions.Tests.Channels;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;

namespace IncidentFunctions.Tests.Alerts;

/// <summary>
/// Alerts lose nothing silently: crashes between recording and posting, a receiver that is down or hangs, roll-ups
/// without new traffic. Real composition on Azurite, the simulator's incidents, fake platforms, a manual clock.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class AlertDeliveryTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private const string Secret = "FAKE-alerts-secret-NOT-A-SECRET-000000000";
    private const string Channel = "chat";
    private readonly List<IAsyncDisposable> _disposables = [];

    [Theory]
    [InlineData(ChannelKind.Generic)]
    [InlineData(ChannelKind.Slack)]
    public async Task DeliverPendingAsync_RunStoppedBetweenRecordingAndPosting_TheLedgerShowsItAndALaterRunPostsIt(ChannelKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([kind], maxPerInterval: 5);
        var platform = platforms[kind];
        var refs = await PulledRefsAsync(app, 2);
        var tenant = app.Simulator.Options.ClientId;
        var channel = ChannelOf(app, Channel);

        // What NotifyEnrichedAsync records before it posts; the process dies right after.
        var (found, _) = await app.Get<AlertCandidates>().FindAsync(tenant, refs, app.Clock.GetUtcNow(), ct);
        var claims = await app.Get<AlertLedger>().ClaimAsync(tenant, channel, found, app.Get<AlertRollupPolicy>(), app.Clock.GetUtcNow(), ct);
        Assert.Equal(2, claims.Singles.Count);
        Assert.All(claims.Singles, c => Assert.Equal(AlertState.Pending, c.ReadState()));
        Assert.Equal(2, (await app.Get<IncidentAlerts>().GetBacklogAsync(channel, ct)).Alerts);

        app.Clock.Advance(TimeSpan.FromMinutes(1)); // the next SendAlerts tick
        await RunSendAlertsJobAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await RunSendAlertsJobAsync(app);

        Assert.Equal(2, platform.Received.Count);
        Assert.All(platform.Received, p => Assert.Empty(p.ShapeErrors));
        foreach (var claim in claims.Singles)
        {
            Assert.Equal(AlertState.Delivered, (await app.Get<AlertLedger>().GetClaimAsync(tenant, Channel, claim.RowKey, ct))!.ReadState());
        }

        if (kind == ChannelKind.Generic)
        {
            var expected = found.Select(f => AlertDeliveryIds.Alert(tenant, Channel, f.Summary.Id)).Order(StringComparer.Ordinal);
            Assert.Equal(expected, platform.Received.Select(p => p.Headers[WebhookSigner.DeliveryHeader]).Order(StringComparer.Ordinal));
        }

        Assert.Equal(2, app.Logs.GetSnapshot().Count(r => r.Id.Id == 1518));
        Assert.Equal(0, (await app.Get<IncidentAlerts>().GetBacklogAsync(channel, ct)).Alerts);
        Assert.Equal(0, await app.Get<IncidentAlerts>().NotifyEnrichedAsync(tenant, refs, ct)); // still never twice
    }

    [Fact]
    public async Task DeliverPendingAsync_GenericRunKilledWhilePosting_IsSentAgainUnderTheSameDeliveryId()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([ChannelKind.Generic], maxPerInterval: 5);
        var generic = platforms[ChannelKind.Generic];
        var refs = await PulledRefsAsync(app, 1);
        using var crash = new CancellationTokenSource();
        // The receiver takes the post, then the process dies before the answer is recorded.
        generic.Then(async context =>
        {
            await crash.CancelAsync();
            await FakeChatPlatform.Hang(TimeSpan.FromSeconds(30))(context);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NotifyKilledByAsync(app, refs, crash));
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct); // the lease of the killed run still holds
        Assert.Single(generic.Received);
        app.Clock.Advance(TimeSpan.FromMinutes(2)); // beyond the lease: the killed run is presumed dead
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);

        Assert.Equal(2, generic.Received.Count);
        var ids = generic.Received.Select(p => p.Headers[WebhookSigner.DeliveryHeader]).Distinct().ToList();
        Assert.Equal(AlertDeliveryIds.Alert(app.Simulator.Options.ClientId, Channel, JsonNode.Parse(generic.Received[0].Body)!["incidents"]![0]!["id"]!.GetValue<string>()), Assert.Single(ids));
        Assert.Equal(generic.Received[0].Body, generic.Received[1].Body); // the same message, not a new one
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1517 && r.Level == LogLevel.Warning);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Id == 1503);
    }

    [Theory]
    [InlineData(ChannelKind.Slack)]
    [InlineData(ChannelKind.Teams)]
    [InlineData(ChannelKind.Discord)]
    public async Task DeliverPendingAsync_ChatRunKilledWhilePosting_IsNotRepeatedAndTheLossIsLogged(ChannelKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([kind], maxPerInterval: 5);
        var platform = platforms[kind];
        var refs = await PulledRefsAsync(app, 1);
        using var crash = new CancellationTokenSource();
        platform.Then(async context =>
        {
            await crash.CancelAsync();
            await FakeChatPlatform.Hang(TimeSpan.FromSeconds(30))(context);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NotifyKilledByAsync(app, refs, crash));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);

        Assert.Single(platform.Received);
        var logged = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1503);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("not posted again", logged.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await app.Get<IncidentAlerts>().GetBacklogAsync(ChannelOf(app, Channel), ct)).Alerts);
    }

    [Fact]
    public async Task DeliverPendingAsync_SlackDownFor75Seconds_AlertsAreDeliveredByLaterRunsNotGivenUp()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([ChannelKind.Slack], maxPerInterval: 5);
        var slack = platforms[ChannelKind.Slack];
        var refs = await PulledRefsAsync(app, 2);
        var tenant = app.Simulator.Options.ClientId;
        var outageEnds = app.Clock.GetUtcNow() + TimeSpan.FromSeconds(75);
        slack.DownWhile(() => app.Clock.GetUtcNow() < outageEnds);

        var sent = await app.Get<IncidentAlerts>().NotifyEnrichedAsync(tenant, refs, ct);
        for (var tick = 0; tick < 3; tick++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1)); // SendAlerts runs every minute
            await RunSendAlertsJobAsync(app);
        }

        Assert.Equal(0, sent);
        var (found, _) = await app.Get<AlertCandidates>().FindAsync(tenant, refs, app.Clock.GetUtcNow(), ct);
        foreach (var candidate in found)
        {
            var claim = await app.Get<AlertLedger>().GetClaimAsync(tenant, Channel, candidate.RowKey, ct);
            Assert.Equal(AlertState.Delivered, claim!.ReadState());
        }

        // Each incident posted as its own alert once the outage was over; the refusals were warnings that said what comes next.
        Assert.Equal(2, slack.Answers.Count(status => status == 200));
        Assert.Equal(2, found.Count);
        var failures = app.Logs.GetSnapshot().Where(r => r.Id.Id == 1502).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Contains("a later alerts run tries again", f.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Level >= LogLevel.Error && r.Category?.StartsWith("IncidentFunctions", StringComparison.Ordinal) == true);
        Assert.True((await app.Get<ChannelHealth>().GetAsync(ChannelOf(app, Channel), ct)).Enabled);
    }

    [Fact]
    public async Task DeliverPendingAsync_ChannelDownLongerThanAnInterval_FoldsTheAlertIntoTheNextRollup()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([ChannelKind.Generic], maxPerInterval: 5);
        var generic = platforms[ChannelKind.Generic];
        var refs = await PulledRefsAsync(app, 1);
        var start = app.Clock.GetUtcNow(); // 12:00, the start of an interval
        generic.DownWhile(() => app.Clock.GetUtcNow() < start.AddMinutes(15));

        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);
        foreach (var minutes in new[] { 5, 10, 15 })
        {
            app.Clock.Set(start.AddMinutes(minutes).AddSeconds(5));
            await RunSendAlertsJobAsync(app);
        }

        var beforeRollup = generic.Received.Count;
        app.Clock.Set(start.AddMinutes(20).AddSeconds(5)); // the end of the interval it was folded into
        await RunSendAlertsJobAsync(app);

        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1520);
        Assert.Equal(beforeRollup + 1, generic.Received.Count);
        var rollup = JsonNode.Parse(generic.Received[^1].Body)!;
        Assert.Equal("incident_rollup", rollup["type"]!.GetValue<string>());
        Assert.Equal(refs[0].Id, rollup["incidents"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(start.AddMinutes(10), DateTimeOffset.Parse(rollup["interval"]!["from"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(AlertDeliveryIds.Rollup(app.Simulator.Options.ClientId, Channel, start.AddMinutes(10)), rollup["deliveryId"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeliverPendingAsync_NotDeliveredWithinMaxAge_IsGivenUpWithAnError()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([ChannelKind.Generic], maxPerInterval: 5);
        var generic = platforms[ChannelKind.Generic];
        var refs = await PulledRefsAsync(app, 1);
        generic.DownWhile(() => true, status: 400);

        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);
        app.Clock.Advance(TimeSpan.FromDays(3)); // MaxAge is 2 days here
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);
        var posts = generic.Received.Count;
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);

        var expired = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1519);
        Assert.Equal(LogLevel.Error, expired.Level);
        Assert.Equal(posts, generic.Received.Count);
        Assert.Equal(0, (await app.Get<IncidentAlerts>().GetBacklogAsync(ChannelOf(app, Channel), ct)).Alerts);
    }

    [Fact]
    public async Task SendAlertsJob_IntervalEndsWithoutNewTraffic_PostsTheRollupAtItsEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([ChannelKind.Generic], maxPerInterval: 1);
        var generic = platforms[ChannelKind.Generic];
        var refs = await PulledRefsAsync(app, 4);
        var tenant = app.Simulator.Options.ClientId;
        var intervalStart = app.Clock.GetUtcNow(); // 12:00
        app.Clock.Set(intervalStart.AddMinutes(3));
        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(tenant, refs, ct); // one alert, three held for the roll-up
        var job = app.Services.GetServices<ScheduledJob>().Single(j => j.FunctionName == "SendAlerts");
        var schedule = CrontabSchedule.Parse(job.Schedule(app.Services), new CrontabSchedule.ParseOptions { IncludingSeconds = true });

        // No enrichment and no digest run from here on: only the SendAlerts timer ticks.
        app.Clock.Set(intervalStart.AddMinutes(10).AddSeconds(-1));
        await RunSendAlertsJobAsync(app);
        Assert.Single(generic.Received);
        var tick = new DateTimeOffset(schedule.GetNextOccurrence(intervalStart.AddMinutes(10).UtcDateTime), TimeSpan.Zero);
        Assert.True(tick - intervalStart.AddMinutes(10) <= TimeSpan.FromMinutes(1), $"the first tick after the interval is at {tick:o}");
        app.Clock.Set(tick);
        await RunSendAlertsJobAsync(app);

        Assert.Equal(2, generic.Received.Count);
        var rollup = JsonNode.Parse(generic.Received[1].Body)!;
        Assert.Equal("incident_rollup", rollup["type"]!.GetValue<string>());
        Assert.Equal(3, rollup["incidents"]!.AsArray().Count + rollup["incidentsNotListed"]!.GetValue<int>());
        Assert.Equal(AlertDeliveryIds.Rollup(tenant, Channel, intervalStart), rollup["deliveryId"]!.GetValue<string>());
        Assert.Equal(AlertDeliveryIds.Rollup(tenant, Channel, intervalStart), generic.Received[1].Headers[WebhookSigner.DeliveryHeader]);
    }

    [Fact]
    public async Task NotifyEnrichedAsync_OneReceiverHangs_TheOtherGetsItsAlertWithoutWaiting()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, platforms) = await StartAsync([ChannelKind.Slack, ChannelKind.Generic], maxPerInterval: 5, settings: new() { ["Digest:AttemptTimeout"] = "00:00:05" });
        var refs = await PulledRefsAsync(app, 1);
        platforms[ChannelKind.Slack].Then(FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)));

        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);

        var slackAt = Assert.Single(platforms[ChannelKind.Slack].Received).At;
        var genericAt = Assert.Single(platforms[ChannelKind.Generic].Received).At;
        Assert.True((genericAt - slackAt).Duration() < TimeSpan.FromSeconds(2.5), $"the generic alert came {genericAt - slackAt} after Slack's hanging post");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables) await d.DisposeAsync();
    }

    private static ChannelOptions ChannelOf(AppHarness app, string name) => app.Get<IOptions<DeliveryOptions>>().Value.Channels.Single(c => c.Name == name);

    private static async Task RunSendAlertsJobAsync(AppHarness app)
    {
        var job = app.Services.GetServices<ScheduledJob>().Single(j => j.FunctionName == "SendAlerts");
        await using var scope = app.Services.CreateAsyncScope();
        await job.RunAsync(scope.ServiceProvider, TestContext.Current.CancellationToken);
    }

    private static async Task NotifyKilledByAsync(AppHarness app, IReadOnlyList<EnrichmentIncidentRef> refs, CancellationTokenSource crash)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(crash.Token, TestContext.Current.CancellationToken);
        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, linked.Token);
    }

    /// <summary>One channel per kind; the first is named <see cref="Channel"/>, the others by their kind.</summary>
    private async Task<(AppHarness App, Dictionary<ChannelKind, FakeChatPlatform> Platforms)> StartAsync(ChannelKind[] kinds, int maxPerInterval, Dictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Digest:Alerts:Enabled"] = "true",
            ["Digest:Alerts:MaxPerInterval"] = maxPerInterval.ToString(CultureInfo.InvariantCulture),
            ["Digest:Alerts:Interval"] = "00:10:00",
            ["Digest:Alerts:MaxAge"] = "2.00:00:00",
            ["Digest:MaxRetries"] = "1",
            ["Digest:RetryBaseDelay"] = "00:00:00.010",
            ["Digest:AttemptTimeout"] = "00:00:03",
            ["Digest:TotalTimeout"] = "00:00:10",
        };
        var platforms = new Dictionary<ChannelKind, FakeChatPlatform>();
        for (var i = 0; i < kinds.Length; i++)
        {
            var platform = await FakeChatPlatform.StartAsync(kinds[i]);
            _disposables.Add(platform);
            platforms[kinds[i]] = platform;
            var key = $"Digest:Channels:{i}:";
            configuration[key + "Name"] = i == 0 ? Channel : kinds[i].ToString().ToLowerInvariant();
            configuration[key + "Kind"] = kinds[i].ToString();
            configuration[key + "Url"] = platform.Url.AbsoluteUri;
            configuration[key + "Digest"] = "false";
            configuration[key + "Alerts"] = "true";
            if (kinds[i] == ChannelKind.Generic) configuration[key + "Secret"] = Secret;
        }

        foreach (var (key, value) in settings ?? []) configuration[key] = value;
        var app = await AppHarness.StartAsync(azurite, settings: configuration);
        _disposables.Add(app);
        return (app, platforms);
    }

    /// <summary>Pulls the simulator's incidents and returns the references enrichment would hand over for the latest <paramref name="count"/>.</summary>
    private static async Task<IReadOnlyList<EnrichmentIncidentRef>> PulledRefsAsync(AppHarness app, int count)
    {
        await app.PullAsync(TestContext.Current.CancellationToken);
        var today = app.Get<ReportCalendar>().DayOf(app.Clock.GetUtcNow());
        var rows = new List<IncidentEntity>();
        await foreach (var row in app.Get<IncidentStore>().GetDayAsync(app.Simulator.Options.ClientId, today, TestContext.Current.CancellationToken)) rows.Add(row);
        Assert.True(rows.Count >= count, $"the simulator produced only {rows.Count} incidents today");
        return rows.Where(r => r.TopIp is not null && r.State != "falsepositive").OrderByDescending(r => r.FirstSeen).Take(count)
            .Select(r => new EnrichmentIncidentRef { Id = r.IncidentId, Days = [r.Day] })
            .ToList();
    }
}
