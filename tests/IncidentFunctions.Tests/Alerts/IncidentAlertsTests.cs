using System.Text.Json.Nodes;
using IncidentFunctions.Alerts;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Tests.Channels;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Alerts;

/// <summary>Real-time alerts end to end: real composition, Azurite, the simulator's incidents, fake platforms.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class IncidentAlertsTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private const string Secret = "FAKE-alerts-secret-NOT-A-SECRET-000000000";
    private readonly List<IAsyncDisposable> _disposables = [];

    [Fact]
    public async Task NotifyEnrichedAsync_ManyNewIncidents_SendsTheLimitThenOneRollupAfterTheInterval()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, slack) = await StartAsync(maxPerInterval: 2);
        var refs = await PulledRefsAsync(app, 5);

        var sent = await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);

        Assert.Equal(4, sent); // two single alerts on each of the two channels
        Assert.Equal(2, generic.Received.Count);
        Assert.Equal(2, slack.Received.Count);
        Assert.All(generic.Received.Concat(slack.Received), p => Assert.Empty(p.ShapeErrors));
        Assert.All(generic.Received, p => Assert.Equal("incident_alert", JsonNode.Parse(p.Body)!["type"]!.GetValue<string>()));

        // Nothing more until the interval has ended; then exactly one roll-up with the other three.
        Assert.Equal(0, await app.Get<IncidentAlerts>().DeliverPendingAsync(ct));
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, await app.Get<IncidentAlerts>().DeliverPendingAsync(ct));
        Assert.Equal(0, await app.Get<IncidentAlerts>().DeliverPendingAsync(ct));

        var rollup = JsonNode.Parse(generic.Received[^1].Body)!;
        Assert.Equal("incident_rollup", rollup["type"]!.GetValue<string>());
        Assert.Equal(3, rollup["incidents"]!.AsArray().Count);
        Assert.Contains("3 more new incidents", slack.Received[^1].Body, StringComparison.Ordinal);
        var alerted = generic.Received.Take(2).Select(p => JsonNode.Parse(p.Body)!["incidents"]![0]!["id"]!.GetValue<string>())
            .Concat(rollup["incidents"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(refs.Select(r => r.Id).Order(StringComparer.Ordinal), alerted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NotifyEnrichedAsync_ReportsMarked_AlertsAndTheRollupCarryTheMarking()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, slack) = await StartAsync(maxPerInterval: 1, settings: new() { ["Reports:Marking"] = "TLP:AMBER" });
        var refs = await PulledRefsAsync(app, 3);

        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);

        Assert.Equal(["incident_alert", "incident_rollup"], generic.Received.Select(p => JsonNode.Parse(p.Body)!["type"]!.GetValue<string>()));
        Assert.All(generic.Received, p => Assert.Equal("TLP:AMBER", JsonNode.Parse(p.Body)!["marking"]!.GetValue<string>()));
        Assert.Equal(2, slack.Received.Count);
        Assert.Contains("[TLP:AMBER] New incident: ", slack.Received[0].Body, StringComparison.Ordinal);
        Assert.Contains("[TLP:AMBER] 2 more new incidents", slack.Received[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrichSources_PulledIncidents_AlertAfterEnrichmentWithSourceLabelsAndOnlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 3, settings: new() { ["Enrichment:UseDefaultSources"] = "true" });
        var pull = await app.PullAsync(ct);
        var job = app.Services.GetServices<IncidentFunctions.AppModel.QueueJob>().Single(j => j.FunctionName == "EnrichSources");
        var queue = new Azure.Storage.Queues.QueueClient(app.ConnectionString, app.QueueName, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        var bodies = new List<BinaryData>();
        while ((await queue.ReceiveMessagesAsync(32, cancellationToken: ct)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                bodies.Add(message.Body);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            }
        }

        Assert.Equal(pull.Messages, bodies.Count);
        foreach (var body in bodies) await job.HandleAsync(app.Services, body, ct);
        var afterFirst = generic.Received.Count;
        foreach (var body in bodies) await job.HandleAsync(app.Services, body, ct); // the host redelivers every message
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.Get<IncidentAlerts>().DeliverPendingAsync(ct);

        // Three single alerts (the limit), then one roll-up for the rest of that interval, nothing from the redelivery.
        Assert.Equal(3, afterFirst);
        Assert.Equal(4, generic.Received.Count);
        var singles = generic.Received.Take(3).Select(p => JsonNode.Parse(p.Body)!["incidents"]![0]!).ToList();
        Assert.All(singles, i => Assert.NotNull(i["topIp"]!["sourceType"]));
        var rollup = JsonNode.Parse(generic.Received[3].Body)!;
        Assert.Equal("incident_rollup", rollup["type"]!.GetValue<string>());
        Assert.True(rollup["incidents"]!.AsArray().Count + rollup["incidentsNotListed"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task NotifyEnrichedAsync_RedeliveredMessage_AlertsNothingTwice()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 10);
        var refs = await PulledRefsAsync(app, 3);
        var alerts = app.Get<IncidentAlerts>();

        await alerts.NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);
        app.Clock.Advance(TimeSpan.FromMinutes(30)); // a later interval: the limit is not what stops it
        var again = await alerts.NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);
        await alerts.DeliverPendingAsync(ct);

        Assert.Equal(0, again);
        Assert.Equal(3, generic.Received.Count);
    }

    [Fact]
    public async Task NotifyEnrichedAsync_EnrichedSource_ShowsCountryTypeAndMaliciousLists()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 10);
        var refs = await PulledRefsAsync(app, 1);
        var tenant = app.Simulator.Options.ClientId;
        Assert.True(ReportCalendar.TryParseIsoDay(refs[0].Days[^1], out var day));
        var row = await FindAsync(app, tenant, day, refs[0].Id);
        await app.Get<SourceProfileStore>().UpsertAsync(tenant, day,
            [new SourceProfile { Ip = row.TopIp!, CountryCode = "NL", CountryName = "Netherlands", SourceType = SourceType.Tor, MaliciousLists = ["firehol-level1"] }], [], ct);

        await app.Get<IncidentAlerts>().NotifyEnrichedAsync(tenant, refs, ct);

        var ip = JsonNode.Parse(Assert.Single(generic.Received).Body)!["incidents"]![0]!["topIp"]!;
        Assert.Equal(row.TopIp, ip["ip"]!.GetValue<string>());
        Assert.Equal("Netherlands", ip["country"]!.GetValue<string>());
        Assert.Equal("Tor", ip["sourceType"]!.GetValue<string>());
        Assert.Equal("firehol-level1", ip["maliciousLists"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task NotifyEnrichedAsync_IncidentsOlderThanMaxAge_AreNotNew()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 10, maxAge: "00:00:01");
        var refs = await PulledRefsAsync(app, 3);

        var sent = await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);

        Assert.Equal(0, sent);
        Assert.Empty(generic.Received);
    }

    [Fact]
    public async Task NotifyEnrichedAsync_FalsePositive_IsNotAlerted()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 10);
        var refs = await PulledRefsAsync(app, 2);
        Assert.True(ReportCalendar.TryParseIsoDay(refs[0].Days[0], out var day));
        var row = await FindAsync(app, app.Simulator.Options.ClientId, day, refs[0].Id);
        row.State = "falsepositive";
        var table = await app.Get<IncidentFunctions.Storage.StorageClients>().GetTableAsync(app.Get<IncidentFunctions.Storage.StorageClients>().Options.IncidentsTable, ct);
        await table.UpdateEntityAsync(row, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge, ct);

        var sent = await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);

        Assert.Equal(2, sent); // the other incident, on both channels
        var alerted = JsonNode.Parse(Assert.Single(generic.Received).Body)!["incidents"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(refs[1].Id, alerted);
    }

    [Fact]
    public async Task NotifyEnrichedAsync_AlertsOff_PostsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 10, enabled: false);
        var refs = await PulledRefsAsync(app, 3);

        var sent = await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId, refs, ct);

        Assert.Equal(0, sent);
        Assert.False(app.Get<IncidentAlerts>().Enabled);
        Assert.Empty(generic.Received);
    }

    [Fact]
    public async Task NotifyEnrichedAsync_UnknownIncident_IsSkippedWithAWarning()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, generic, _) = await StartAsync(maxPerInterval: 10);

        var sent = await app.Get<IncidentAlerts>().NotifyEnrichedAsync(app.Simulator.Options.ClientId,
            [new EnrichmentIncidentRef { Id = "no-such-incident", Days = ["2026-11-20"] }], ct);

        Assert.Equal(0, sent);
        Assert.Empty(generic.Received);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1513);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables) await d.DisposeAsync();
    }

    private async Task<(AppHarness App, FakeChatPlatform Generic, FakeChatPlatform Slack)> StartAsync(int maxPerInterval, string maxAge = "2.00:00:00", bool enabled = true, Dictionary<string, string?>? settings = null)
    {
        var generic = await FakeChatPlatform.StartAsync(ChannelKind.Generic);
        var slack = await FakeChatPlatform.StartAsync(ChannelKind.Slack);
        _disposables.Add(generic);
        _disposables.Add(slack);
        var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Digest:Alerts:Enabled"] = enabled ? "true" : "false",
            ["Digest:Alerts:MaxPerInterval"] = maxPerInterval.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Digest:Alerts:Interval"] = "00:10:00",
            ["Digest:Alerts:MaxAge"] = maxAge,
            ["Digest:Channels:0:Name"] = "siem",
            ["Digest:Channels:0:Kind"] = "Generic",
            ["Digest:Channels:0:Url"] = generic.Url.AbsoluteUri,
            ["Digest:Channels:0:Secret"] = Secret,
            ["Digest:Channels:0:Digest"] = "false",
            ["Digest:Channels:0:Alerts"] = "true",
            ["Digest:Channels:1:Name"] = "slack",
            ["Digest:Channels:1:Kind"] = "Slack",
            ["Digest:Channels:1:Url"] = slack.Url.AbsoluteUri,
            ["Digest:Channels:1:Digest"] = "false",
            ["Digest:Channels:1:Alerts"] = "true",
        }.Concat(settings ?? []).ToDictionary());
        _disposables.Add(app);
        return (app, generic, slack);
    }

    /// <summary>Pulls the simulator's incidents and returns the references enrichment would hand over for the latest <paramref name="count"/>.</summary>
    private static async Task<IReadOnlyList<EnrichmentIncidentRef>> PulledRefsAsync(AppHarness app, int count)
    {
        await app.PullAsync(TestContext.Current.CancellationToken);
        var calendar = app.Get<ReportCalendar>();
        var today = calendar.DayOf(app.Clock.GetUtcNow());
        var rows = new List<IncidentEntity>();
        await foreach (var row in app.Get<IncidentStore>().GetDayAsync(app.Simulator.Options.ClientId, today, TestContext.Current.CancellationToken)) rows.Add(row);
        Assert.True(rows.Count >= count, $"the simulator produced only {rows.Count} incidents today");
        return rows.Where(r => r.TopIp is not null && r.State != "falsepositive").OrderByDescending(r => r.FirstSeen).Take(count)
            .Select(r => new EnrichmentIncidentRef { Id = r.IncidentId, Days = [r.Day] })
            .ToList();
    }

    private static async Task<IncidentEntity> FindAsync(AppHarness app, long tenant, NodaTime.LocalDate day, string id)
    {
        await foreach (var row in app.Get<IncidentStore>().GetDayAsync(tenant, day, TestContext.Current.CancellationToken))
        {
            if (row.IncidentId == id) return row;
        }

        throw new InvalidOperationException($"incident {id} not found");
    }
}
