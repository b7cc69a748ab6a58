using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IncidentFunctions.WallarmSimulator;

namespace IncidentFunctions.Tests.WallarmSimulator;

public sealed class SimulatorEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string body, string? token = "simulator-token")
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
}
