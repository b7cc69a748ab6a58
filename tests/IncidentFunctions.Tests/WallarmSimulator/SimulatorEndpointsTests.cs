using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IncidentFunctions.WallarmSimulator;

namespace IncidentFunctions.Tests.WallarmSimulator;

[Trait("Category", TestCategories.Unit)]
public sealed class SimulatorEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string body, string? token = "FAKE-simulator-token")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Add("X-WallarmAPI-Token", token);
        using var response = await http.SendAsync(request, Ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (response.StatusCode, doc.RootElement.Clone());
    }

    [Theory]
    [InlineData("not json", 400)]
    [InlineData("""{"filter":{"clientid":[5],"time":"yesterday"}}""", 400)]
    [InlineData("""{"filter":{"clientid":"five"}}""", 400)]
    [InlineData("""{"filter":{"clientid":[6],"!vulnid":null}}""", 403)]
    [InlineData("""{"filter":{"!vulnid":null}}""", 403)]
    public async Task AttackQuery_BadOrForeignFilter_AnswersTheErrorEnvelope(string body, int status)
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        var (code, envelope) = await PostAsync(http, "v1/objects/attack", body);

        Assert.Equal(status, (int)code);
        Assert.Equal(status, envelope.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.String, envelope.GetProperty("body").ValueKind);
    }

    [Fact]
    public async Task AnyEndpoint_WithoutToken_Answers401Envelope()
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        var (code, envelope) = await PostAsync(http, "v1/objects/vuln", "{}", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, code);
        Assert.Equal(401, envelope.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task CursorRead_CursorOfAnotherQuery_Answers400()
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions { IncidentsPerDay = 2_000 }, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (_, first) = await PostAsync(http, "v2/objects/attack", $$"""{"filter":{"clientid":[5],"!vulnid":null,"time":[[{{now - 86_400}},{{now}}]]},"paging":true,"limit":100}""");
        var cursor = first.GetProperty("cursor").GetString();

        var (code, _) = await PostAsync(http, "v2/objects/attack", $$"""{"filter":{"clientid":[5],"!vulnid":null,"type":["xss"]},"paging":true,"cursor":"{{cursor}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, code);
    }

    [Theory]
    [InlineData("{\"kind\":")]
    [InlineData("null")]
    [InlineData("{\"kind\":\"Meteor\"}")]
    public async Task ArmFault_BadRule_Answers400AndArmsNothing(string body)
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await http.PostAsync("__simulator/faults", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(simulator.Faults.Armed);
    }

    [Fact]
    public async Task ArmFault_GoodRule_IsArmedOverHttp()
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await http.PostAsJsonAsync("__simulator/faults", new { kind = "RateLimit", times = 2 }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new FaultRule { Kind = FaultKind.RateLimit, Times = 2 }, Assert.Single(simulator.Faults.Armed));
    }

    [Theory]
    [InlineData("ratelimit:3", FaultKind.RateLimit, 3, 0)]
    [InlineData("servererror:2:1", FaultKind.ServerError, 2, 1)]
    [InlineData("emptypage:2", FaultKind.EmptyPage, 1, 0)]
    public void Parse_CommandLineForm_GivesTheRule(string text, FaultKind kind, int times, int skip)
    {
        var rule = FaultRule.Parse(text);

        Assert.Equal((kind, times, skip), (rule.Kind, rule.Times, rule.SkipFirst));
        if (kind == FaultKind.EmptyPage) Assert.Equal(2, rule.Page);
    }

    [Fact]
    public void Parse_UnknownKind_ThrowsNamingTheKinds()
        => Assert.Contains("RateLimit", Assert.Throws<FormatException>(() => FaultRule.Parse("meteor:1")).Message, StringComparison.Ordinal);

    private static async Task<List<string>> AttackIdsAsync(HttpClient http, long from, long to)
    {
        var (_, body) = await PostAsync(http, "v1/objects/attack", $$"""{"filter":{"clientid":[5],"!vulnid":null,"time":[[{{from}},{{to}}]]},"limit":1000,"order_by":"last_time"}""");
        return body.GetProperty("body").EnumerateArray().Select(a => a.GetProperty("attackid").GetString()!).ToList();
    }

    [Fact]
    public async Task AttackQuery_TimeFilterMeaning_FirstHitLeavesOutIncidentsThatStartedBefore()
    {
        var clock = new Infrastructure.ManualClock();
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions { IncidentsPerDay = 2_000 }, clock, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var (from, to) = (now - 3600, now);

        var overlap = await AttackIdsAsync(http, from, to);
        simulator.State.TimeFilter = TimeFilterMeaning.FirstHit;
        var firstHit = await AttackIdsAsync(http, from, to);

        var startedBefore = simulator.Data.IncidentsIn(from, to, now).Where(a => a.FirstTime < from).Select(a => a.AttackId).ToList();
        Assert.NotEmpty(startedBefore);
        Assert.Subset(overlap.ToHashSet(), startedBefore.ToHashSet());
        Assert.Empty(firstHit.Intersect(startedBefore));
        Assert.Equal(simulator.Data.IncidentsIn(from, to, now, TimeFilterMeaning.FirstHit).Select(a => a.AttackId).ToHashSet(), firstHit.ToHashSet());
    }

    [Fact]
    public async Task AttackQuery_DriftPerRequest_MovesTheSimulatorsClockOnEachListRequestOnly()
    {
        var clock = new Infrastructure.ManualClock();
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions { DriftPerRequest = TimeSpan.FromSeconds(30) }, clock, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        var now = clock.GetUtcNow().ToUnixTimeSeconds();

        await AttackIdsAsync(http, now - 3600, now);
        await AttackIdsAsync(http, now - 3600, now);
        await PostAsync(http, "v1/objects/attack/count", $$$"""{"filter":{"clientid":[5],"!vulnid":null,"time":[[{{{now - 3600}}},{{{now}}}]]}}""");

        Assert.Equal(TimeSpan.FromSeconds(60), simulator.State.Drift);
        Assert.Equal(now + 60, simulator.State.NowUnix);
    }

    [Fact]
    public async Task AttackQuery_CorruptedRecord_IsBrokenOnTheWireOnly()
    {
        var clock = new Infrastructure.ManualClock();
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), clock, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var target = simulator.Data.IncidentsIn(now - 3600, now, now).First();
        simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.UnpairedSurrogate, Field = "domain", Target = target.AttackId });
        simulator.State.Corruptions.Add(new CorruptionRule { Kind = CorruptionKind.InvalidUtf8, Field = "path", Target = target.AttackId });

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/objects/attack")
        {
            Content = new StringContent($$$"""{"filter":{"clientid":[5],"attackid":["{{{target.AttackId}}}"]}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-WallarmAPI-Token", "FAKE-simulator-token");
        using var response = await http.SendAsync(request, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Contains("\\ud800" + target.Domain, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        Assert.Contains((byte)0xFF, bytes);
        simulator.State.Corruptions.Remove(target.AttackId);
        Assert.Empty(simulator.State.Corruptions.Armed);
    }

    [Fact]
    public async Task Admin_ModeAndCorruptions_AreSwitchedOverHttp()
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var mode = await http.PostAsJsonAsync("__simulator/mode", new { timeFilter = "FirstHit", driftPerRequestSeconds = 45 }, Ct);
        using var corruption = await http.PostAsJsonAsync("__simulator/corruptions", new { kind = "MissingId", every = 10 }, Ct);
        using var bad = await http.PostAsync("__simulator/corruptions", new StringContent("{\"kind\":\"Meteor\"}", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, mode.StatusCode);
        Assert.Equal(TimeFilterMeaning.FirstHit, simulator.State.TimeFilter);
        Assert.Equal(TimeSpan.FromSeconds(45), simulator.State.DriftPerRequest);
        Assert.Equal(HttpStatusCode.OK, corruption.StatusCode);
        Assert.Equal(new CorruptionRule { Kind = CorruptionKind.MissingId, Every = 10 }, Assert.Single(simulator.State.Corruptions.Armed));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData("unpairedsurrogate", CorruptionKind.UnpairedSurrogate, "domain", 100)]
    [InlineData("numberasstring:first_time:7", CorruptionKind.NumberAsString, "first_time", 7)]
    [InlineData("hugefield", CorruptionKind.HugeField, "path", 100)]
    public void ParseCorruption_CommandLineForm_GivesTheRule(string text, CorruptionKind kind, string field, int every)
    {
        var rule = CorruptionRule.Parse(text);

        Assert.Equal((kind, field, every, (string?)null), (rule.Kind, rule.Field, rule.Every, rule.Target));
    }
}
