using System.Text.Json;
using IncidentFunctions.Calendar;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Wallarm;

[Trait("Category", TestCategories.Integration)]
public sealed class WallarmClientTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<WallarmAttack>> ReadAllAsync(WallarmClient client, long tenant, TimeWindow window)
    {
        var all = new List<WallarmAttack>();
        await foreach (var page in client.GetIncidentPagesAsync(tenant, window, Ct)) all.AddRange(page.Attacks);
        return all;
    }

    private static TimeWindow LastHours(AppHarness app, int hours) => new(app.Clock.GetUtcNow().AddHours(-hours), app.Clock.GetUtcNow());

    private static HashSet<string> Expected(AppHarness app, TimeWindow window)
        => app.Simulator.Data.IncidentsIn(window.From.ToUnixTimeSeconds(), window.To.ToUnixTimeSeconds(), app.Clock.GetUtcNow().ToUnixTimeSeconds())
            .Select(a => a.AttackId).ToHashSet();

    [Fact]
    public async Task GetIncidentPagesAsync_OffsetPaging_ReturnsEveryIncidentOnceAndNoPlainAttack()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:PageSize"] = "7" });
        var window = LastHours(app, 12);

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        var ids = attacks.Select(a => a.Id).ToList();
        Assert.True(ids.Count > 14, $"expected several pages, got {ids.Count} records");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Expected(app, window), ids.ToHashSet());
        Assert.All(attacks, a => Assert.NotNull(a.VulnId));
    }

    [Fact]
    public async Task GetIncidentPagesAsync_CursorPaging_ReturnsEveryIncidentIncludingTheLastPage()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 600, new Dictionary<string, string?> { ["Wallarm:Paging"] = "Cursor" });
        var window = LastHours(app, 12);
        var expected = Expected(app, window);
        Assert.True(expected.Count % 100 != 0 && expected.Count > 200, "the data should end on a partial page");

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        Assert.Equal(expected, attacks.Select(a => a.Id).ToHashSet());
        var requests = app.Simulator.Requests.For("/v2/objects/attack");
        Assert.Equal((expected.Count + 99) / 100, requests.Count);
        Assert.Contains(requests.Skip(1), r => r.Body.Contains("\"cursor\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetIncidentPagesAsync_Always_SendsTheDocumentedIncidentQuery()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var window = LastHours(app, 1);

        await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        var request = Assert.Single(app.Simulator.Requests.For("/v1/objects/attack"));
        Assert.True(request.HadValidToken);
        using var body = JsonDocument.Parse(request.Body);
        var filter = body.RootElement.GetProperty("filter");
        Assert.Equal(JsonValueKind.Null, filter.GetProperty("!vulnid").ValueKind);
        Assert.Equal(5, filter.GetProperty("clientid")[0].GetInt64());
        Assert.Equal(window.From.ToUnixTimeSeconds(), filter.GetProperty("time")[0][0].GetInt64());
        Assert.Equal(window.To.ToUnixTimeSeconds(), filter.GetProperty("time")[0][1].GetInt64());
        Assert.Equal("last_time", body.RootElement.GetProperty("order_by").GetString());
        Assert.True(body.RootElement.GetProperty("order_desc").GetBoolean());
    }

    [Fact]
    public async Task GetIncidentPagesAsync_EmptyCursorPageInTheMiddle_ContinuesToTheEnd()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.IncidentsPerDay = 600, new Dictionary<string, string?> { ["Wallarm:Paging"] = "Cursor" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.EmptyPage, Page = 1 });
        var window = LastHours(app, 12);

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        Assert.Equal(1, app.Simulator.Faults.Fired(FaultKind.EmptyPage));
        // The empty page skipped its records: the count check in the pull catches that; the client must not stop early.
        var expected = Expected(app, window);
        Assert.Equal(expected.Count - 100, attacks.Count);
    }

    [Fact]
    public async Task GetClientIdAsync_NoTenantConfigured_DiscoversItFromUser()
    {
        await using var app = await AppHarness.StartAsync(azurite, s => s.ClientId = 77);

        var tenant = await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct);
        var again = await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct);

        Assert.Equal(77, tenant);
        Assert.Equal(77, again);
        Assert.Single(app.Simulator.Requests.For("/v1/user"));
    }

    [Fact]
    public async Task GetClientIdAsync_TenantConfigured_DoesNotCallTheApi()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ClientId"] = "5" });

        Assert.Equal(5, await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct));
        Assert.Empty(app.Simulator.Requests.All);
    }

    [Fact]
    public async Task PostAsync_WrongToken_ThrowsAuthenticationErrorNamingTheSettingWithoutRetry()
    {
        const string wrongToken = "FAKE-wrong-token";
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ApiToken"] = wrongToken });

        var error = await Assert.ThrowsAsync<WallarmAuthenticationException>(() => app.Get<WallarmClient>().CountIncidentsAsync(5, LastHours(app, 1), Ct));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("Wallarm__ApiToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, error.Message, StringComparison.Ordinal);
        Assert.Single(app.Simulator.Requests.All);
    }

    [Theory]
    [InlineData(FaultKind.RateLimit)]
    [InlineData(FaultKind.ServerError)]
    public async Task GetIncidentPagesAsync_TransientFailures_AreRetriedUntilTheySucceed(FaultKind kind)
    {
        await using var app = await AppHarness.StartAsync(azurite);
        app.Simulator.Faults.Add(new FaultRule { Kind = kind, Times = 3, RetryAfterSeconds = 1 });
        var window = LastHours(app, 6);

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        Assert.Equal(3, app.Simulator.Faults.Fired(kind));
        Assert.Equal(Expected(app, window), attacks.Select(a => a.Id).ToHashSet());
        Assert.Equal(4, app.Simulator.Requests.For("/v1/objects/attack").Count);
    }

    [Fact]
    public async Task GetIncidentPagesAsync_ServerKeepsFailing_ThrowsAfterTheConfiguredRetriesAndABoundedSearchInParts()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:MaxRetries"] = "2" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Times = 0 });

        var error = await Assert.ThrowsAsync<WallarmApiException>(() => ReadAllAsync(app.Get<WallarmClient>(), 5, LastHours(app, 1)));

        Assert.Equal(500, error.StatusCode);
        // The page and its two retries, then parts of it asked once each, at most three bad records' worth.
        Assert.InRange(app.Simulator.Requests.For("/v1/objects/attack").Count, 3 + 1, 3 + 25);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Id.Id == 1111);
    }

    [Theory]
    [InlineData(FaultKind.RateLimit)]
    [InlineData(FaultKind.Timeout)]
    public async Task GetIncidentPagesAsync_FailureThatSaysNothingAboutTheRecords_IsNotReadInParts(FaultKind kind)
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Wallarm:MaxRetries"] = "1",
            ["Wallarm:AttemptTimeout"] = "00:00:00.300",
            ["Wallarm:RetryBaseDelay"] = "00:00:00.010",
        });
        app.Simulator.Faults.Add(new FaultRule { Kind = kind, Times = 0, DelaySeconds = 5, RetryAfterSeconds = 0 });

        await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(app.Get<WallarmClient>(), 5, LastHours(app, 1)));

        Assert.Equal(2, app.Simulator.Requests.For("/v1/objects/attack").Count);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Id.Id == 1110);
    }

    [Fact]
    public async Task GetIncidentPagesAsync_SlowResponse_TimesOutAndRetries()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:AttemptTimeout"] = "00:00:00.500" });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.Timeout, Times = 1, DelaySeconds = 10 });
        var window = LastHours(app, 3);

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        Assert.Equal(1, app.Simulator.Faults.Fired(FaultKind.Timeout));
        Assert.Equal(Expected(app, window), attacks.Select(a => a.Id).ToHashSet());
    }

    [Theory]
    [InlineData(FaultKind.MalformedJson)]
    [InlineData(FaultKind.TruncatedPage)]
    public async Task GetIncidentPagesAsync_EveryAnswerBroken_ThrowsMalformedResponseAfterTheAttemptsAndABoundedSearchInParts(FaultKind kind)
    {
        await using var app = await AppHarness.StartAsync(azurite);
        app.Simulator.Faults.Add(new FaultRule { Kind = kind, Times = 0 });

        var error = await Assert.ThrowsAsync<WallarmMalformedResponseException>(() => ReadAllAsync(app.Get<WallarmClient>(), 5, LastHours(app, 6)));

        Assert.Contains("/v1/objects/attack", error.Message, StringComparison.Ordinal);
        Assert.Contains("more parts failed than 3 bad records explain", error.Message, StringComparison.Ordinal);
        // The page's attempts, then parts of it, at most three bad records' worth (page size 100: 3 × (6 + 2) + 1).
        Assert.InRange(app.Simulator.Requests.For("/v1/objects/attack").Count, WallarmClient.MalformedPageAttempts + 1, WallarmClient.MalformedPageAttempts + 25);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), l => l.Id.Id == 1111);
    }

    [Fact]
    public async Task GetIncidentPagesAsync_RecordThatCutsOffEveryAnswerHoldingIt_IsSkippedAndEveryOtherIncidentArrives()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var window = LastHours(app, 6);
        var expected = Expected(app, window);
        var bad = expected.Order(StringComparer.Ordinal).ElementAt(expected.Count / 2);
        app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.CutsAnswer, Target = bad });

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        Assert.Equal(expected.Where(id => id != bad).ToHashSet(), attacks.Select(a => a.Id).ToHashSet());
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1110);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1111 && l.Level == LogLevel.Error);
    }

    [Fact]
    public async Task GetIncidentPagesAsync_ManyRecordsOnOnePageThatBreakEveryAnswer_AreSkippedAndEveryOtherIncidentArrives()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var window = LastHours(app, 6);
        var expected = Expected(app, window);
        // One record in ten (by a hash of its id): about ten on each page of 100, more than three bad records' budget.
        app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.CutsAnswer, Every = 10 });

        var pages = new List<WallarmAttackPage>();
        await foreach (var page in app.Get<WallarmClient>().GetIncidentPagesAsync(5, window, TestContext.Current.CancellationToken)) pages.Add(page);

        var read = pages.SelectMany(p => p.Attacks).Select(a => a.Id).ToHashSet();
        Assert.Subset(expected, read);
        Assert.Equal(expected.Count, read.Count + pages.Sum(p => p.Broken));
        Assert.Contains(pages, p => p.Broken > 3);
    }

    [Fact]
    public async Task GetIncidentPagesAsync_RecordThatMakesEveryAnswerHoldingItA500_IsSkippedWithoutRetryingItsParts()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:MaxRetries"] = "2" });
        var window = LastHours(app, 6);
        var expected = Expected(app, window);
        var bad = expected.Order(StringComparer.Ordinal).ElementAt(expected.Count / 2);
        app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.FailsAnswer, Target = bad });

        var pages = new List<WallarmAttackPage>();
        await foreach (var page in app.Get<WallarmClient>().GetIncidentPagesAsync(5, window, TestContext.Current.CancellationToken)) pages.Add(page);

        Assert.Equal(expected.Where(id => id != bad).ToHashSet(), pages.SelectMany(p => p.Attacks).Select(a => a.Id).ToHashSet());
        Assert.Equal(1, pages.Sum(p => p.Broken));
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1111);
        // Each halving asks two parts, once each: one failing part per level, seven levels for a page of 100.
        var pagesAsked = (expected.Count + 99) / 100;
        Assert.InRange(app.Simulator.Requests.For("/v1/objects/attack").Count, pagesAsked + 2, pagesAsked + 2 + 2 * 7);
    }

    [Fact]
    public async Task GetIncidentsByIdAsync_RecordThatCutsOffEveryAnswerHoldingIt_IsSkippedAndTheOthersArrive()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var window = LastHours(app, 6);
        var ids = Expected(app, window).Order(StringComparer.Ordinal).Take(40).ToList();
        app.Simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.CutsAnswer, Target = ids[7] });

        var read = new List<WallarmAttack>();
        await foreach (var page in app.Get<WallarmClient>().GetIncidentsByIdAsync(5, ids, window.From.AddDays(-3), TestContext.Current.CancellationToken)) read.AddRange(page.Attacks);

        Assert.Equal(ids.Where(id => id != ids[7]).ToHashSet(), read.Select(a => a.Id).ToHashSet());
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1112);
    }

    [Theory]
    [InlineData(FaultKind.MalformedJson)]
    [InlineData(FaultKind.TruncatedPage)]
    public async Task GetIncidentPagesAsync_BrokenPageOnce_IsAskedAgainAndEveryIncidentArrives(FaultKind kind)
    {
        await using var app = await AppHarness.StartAsync(azurite);
        app.Simulator.Faults.Add(new FaultRule { Kind = kind, Times = 1 });
        var window = LastHours(app, 6);

        var attacks = await ReadAllAsync(app.Get<WallarmClient>(), 5, window);

        Assert.Equal(1, app.Simulator.Faults.Fired(kind));
        Assert.Equal(Expected(app, window), attacks.Select(a => a.Id).ToHashSet());
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1105);
    }

    [Fact]
    public async Task GetVulnerabilitiesAsync_Ids_ReturnsThoseSecurityIssues()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var wanted = app.Simulator.Data.Vulnerabilities.Take(3).ToList();

        var vulns = (await app.Get<WallarmClient>().GetVulnerabilitiesAsync(5, wanted.Select(v => v.Id).Append(999_999).ToList(), Ct)).Vulnerabilities;

        Assert.Equal(wanted.Select(v => v.Id).Order(), vulns.Select(v => v.Id).Order());
        Assert.All(vulns, v => Assert.False(string.IsNullOrEmpty(v.Title)));
        var first = vulns.Single(v => v.Id == wanted[0].Id);
        Assert.Equal(wanted[0].Threat, first.Threat);
        Assert.Equal(wanted[0].Status, first.Status);
    }

    [Fact]
    public async Task Client_AnyFailure_NeverWritesTheTokenToLogs()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.RateLimit, Times = 1 });
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.MalformedJson, Times = 0, Endpoint = "count" });

        await ReadAllAsync(app.Get<WallarmClient>(), 5, LastHours(app, 1));
        await Assert.ThrowsAsync<WallarmMalformedResponseException>(() => app.Get<WallarmClient>().CountIncidentsAsync(5, LastHours(app, 1), Ct));

        var logs = app.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.DoesNotContain(app.Simulator.Options.ApiToken, l.Message + l.Exception, StringComparison.Ordinal));
    }
}
