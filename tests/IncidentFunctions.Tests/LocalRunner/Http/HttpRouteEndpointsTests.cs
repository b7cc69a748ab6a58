using System.Net;
using System.Text.Json;
using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.LocalRunner.Http;

/// <summary>The runner's HTTP side on a real Kestrel (127.0.0.1, port 0) with a real HttpClient.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class HttpRouteEndpointsTests : IAsyncDisposable
{
    private const string Key = "FAKE-test-function-key-000000";
    private const string HostJson = """{ "version": "2.0", "extensions": { "http": { "routePrefix": "runner" } } }""";

    private readonly List<IDisposable> _disposables = [];
    private readonly List<Action> _cleanups = [];
    private WebApplication? _app;
    private HttpClient? _client;

    [Fact]
    public async Task FunctionRoute_NoKey_Returns401WithEmptyBody()
    {
        var client = await StartAsync(HostJson, Key);

        using var response = await client.GetAsync("/runner/reports/daily/2026-11-26.pdf", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/runner/reports/daily/2026-11-26.pdf", true, "report for 2026-11-26")]
    [InlineData("/runner/reports/weekly/2026-W48.csv", true, "csv weekly 2026-W48")]
    [InlineData("/runner/reports/monthly/2026-11.pdf", true, "pdf monthly 2026-11")]
    [InlineData("/runner/reports/daily/2026-11-26.csv", true, "csv daily 2026-11-26")]
    [InlineData("/runner/reports/shared/monthly/2026-11.csv", false, "shared monthly 2026-11")]
    public async Task ReportRoutes_PdfAndCsvTemplatesSideBySide_EachRequestReachesItsOwnRoute(string path, bool key, string expected)
    {
        // The CSV templates have a {kind} segment where the PDF's has "daily": the extension must keep them apart.
        var client = await StartAsync(HostJson, Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key) request.Headers.Add("x-functions-key", Key);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FunctionRoute_WrongKey_Returns401()
    {
        var client = await StartAsync(HostJson, Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runner/reports/daily/2026-11-26.pdf");
        request.Headers.Add("x-functions-key", Key + "x");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("FAKE-test-function-key-00000", null)]
    [InlineData(Key + "0", null)]
    [InlineData("fake-TEST-FUNCTION-KEY-000000", null)]
    [InlineData(null, "FAKE-test-function-key-00000")]
    [InlineData(null, Key + "x")]
    [InlineData("", "")]
    public async Task FunctionRoute_KeyNotExactlyAConfiguredOne_Returns401WithoutRunningTheHandler(string? header, string? code)
    {
        // Prefixes, extensions and other cases of a valid key, in the header or in ?code=, and empty values.
        var client = await StartAsync(HostJson, Key);
        var query = code is null ? "" : $"?code={Uri.EscapeDataString(code)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/runner/reports/daily/2026-11-26.pdf{query}");
        if (header is not null) request.Headers.TryAddWithoutValidation("x-functions-key", header);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FunctionRoute_KeyInHeader_ReturnsTheHandlersResult()
    {
        var client = await StartAsync(HostJson, "FAKE-another-function-key", Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runner/reports/daily/2026-11-26.pdf");
        request.Headers.Add("x-functions-key", Key);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("report for 2026-11-26", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FunctionRoute_KeyInCodeQuery_ReturnsTheHandlersResult()
    {
        var client = await StartAsync(HostJson, Key);

        using var response = await client.GetAsync($"/runner/reports/daily/2026-11-27.pdf?code={Uri.EscapeDataString(Key)}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("report for 2026-11-27", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FunctionRoute_MethodNotListed_IsNotServed()
    {
        var client = await StartAsync(HostJson, Key);

        using var response = await client.PostAsync($"/runner/reports/daily/2026-11-27.pdf?code={Uri.EscapeDataString(Key)}", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task AnonymousRoute_NoKey_ReturnsTheHandlersResult()
    {
        var client = await StartAsync(HostJson, Key);

        using var response = await client.GetAsync("/runner/ping", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pong", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Routes_RoutePrefixFromHostJson_AreServedOnlyUnderIt()
    {
        var client = await StartAsync(HostJson, Key);

        using var prefixed = await client.GetAsync("/runner/ping", TestContext.Current.CancellationToken);
        using var defaultPrefix = await client.GetAsync("/api/ping", TestContext.Current.CancellationToken);
        using var bare = await client.GetAsync("/ping", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, prefixed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, defaultPrefix.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bare.StatusCode);
    }

    [Fact]
    public async Task Routes_EmptyRoutePrefix_AreServedAtTheRoot()
    {
        var client = await StartAsync("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "" } } }""", Key);

        using var response = await client.GetAsync("/ping", TestContext.Current.CancellationToken);
        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Health_Get_ReturnsOkStatusJsonWithoutAKey()
    {
        var client = await StartAsync(HostJson, Key);

        using var response = await client.GetAsync("/runner/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task FunctionRoute_NoKeysConfigured_AcceptsTheKeyFromItsOwnerOnlyFileAndNeverLogsIt()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"keys-{Guid.NewGuid():N}", "function-key");
        _cleanups.Add(() => Directory.Delete(Path.GetDirectoryName(keyFile)!, recursive: true));
        var client = await StartWithKeyFileAsync(keyFile);
        var generated = (await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).Trim();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runner/reports/daily/2026-11-26.pdf");
        request.Headers.Add("x-functions-key", generated);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        using var withCode = await client.GetAsync($"/runner/reports/daily/2026-11-26.pdf?code={generated}", TestContext.Current.CancellationToken);
        using var withoutKey = await client.GetAsync("/runner/reports/daily/2026-11-26.pdf", TestContext.Current.CancellationToken);

        var logs = _app!.Services.GetFakeLogCollector().GetSnapshot();
        var logged = Assert.Single(logs, r => r.Id.Id == 9401);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Equal(keyFile, logged.GetStructuredStateValue("KeyFile"));
        Assert.DoesNotContain(logs, r => r.Message.Contains(generated, StringComparison.Ordinal) || r.StructuredState!.Any(v => v.Value?.Contains(generated, StringComparison.Ordinal) == true));
        Assert.True(generated.Length >= 32);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
    }

    [Fact]
    public async Task FunctionRoute_KeyFileExists_KeepsItsKeyAcrossRestarts()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"keys-{Guid.NewGuid():N}", "function-key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        _cleanups.Add(() => Directory.Delete(Path.GetDirectoryName(keyFile)!, recursive: true));
        await File.WriteAllTextAsync(keyFile, "FAKE-key-an-operator-wrote-by-hand\n", TestContext.Current.CancellationToken);
        var client = await StartWithKeyFileAsync(keyFile);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runner/reports/daily/2026-11-26.pdf");
        request.Headers.Add("x-functions-key", "FAKE-key-an-operator-wrote-by-hand");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("FAKE-key-an-operator-wrote-by-hand\n", await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FunctionRoute_KeysConfigured_LogsNoKey()
    {
        await StartAsync(HostJson, Key);

        Assert.DoesNotContain(_app!.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 9401 || r.Message.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Route_EachRequest_GetsItsOwnRouteInstanceWithInjectedScopedDependencies()
    {
        var client = await StartAsync(HostJson, Key);

        using var first = await client.GetAsync("/runner/ping", TestContext.Current.CancellationToken);
        using var second = await client.GetAsync("/runner/ping", TestContext.Current.CancellationToken);

        // A scoped dependency seen once per request: the runner resolves the route from the request's scope.
        Assert.Equal("pong", await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("pong", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, RequestCounter.Created(_app!.Services));
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _disposables.ForEach(d => d.Dispose());
        _cleanups.ForEach(c => c());
    }

    private Task<HttpClient> StartWithKeyFileAsync(string keyFile) => StartAsync(HostJson, [], new() { ["LocalRunner:FunctionKeyFile"] = keyFile });

    private Task<HttpClient> StartAsync(string hostJson, params string[] functionKeys) => StartAsync(hostJson, functionKeys, []);

    private async Task<HttpClient> StartAsync(string hostJson, string[] functionKeys, Dictionary<string, string?> extra)
    {
        var hostJsonFile = new TestHostJson(hostJson);
        _disposables.Add(hostJsonFile);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders().AddFakeLogging();
        var settings = new Dictionary<string, string?>
        {
            ["LocalRunner:Urls"] = "http://127.0.0.1:0",
            ["LocalRunner:HostJsonPath"] = hostJsonFile.Path,
            ["LocalRunner:EnableTimers"] = "false",
            ["LocalRunner:EnableQueues"] = "false",
        };
        for (var i = 0; i < functionKeys.Length; i++) settings[$"LocalRunner:FunctionKeys:{i}"] = functionKeys[i];
        foreach (var (key, value) in extra) settings[key] = value;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<RequestCounter.Registry>();
        builder.Services.AddScoped<RequestCounter>();
        builder.Services.AddHttpRoute<ReportRoute>();
        builder.Services.AddHttpRoute<PingRoute>();
        builder.Services.AddHttpRoute<CsvRoute>();
        builder.Services.AddHttpRoute<SharedCsvRoute>();
        builder.Services.AddHttpRoute<PeriodPdfRoute>();
        builder.AddLocalRunner();

        _app = builder.Build();
        _app.MapLocalRunnerRoutes();
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _client = new HttpClient { BaseAddress = new Uri(Assert.Single(_app.Urls)) };
        return _client;
    }

    /// <summary>Counts its instances per host; scoped, so one per request.</summary>
    private sealed class RequestCounter
    {
        public RequestCounter(Registry registry) => Interlocked.Increment(ref registry.Count);

        public static int Created(IServiceProvider services) => services.GetRequiredService<Registry>().Count;

        public sealed class Registry
        {
            public int Count;
        }
    }

    private sealed class ReportRoute : IHttpRoute
    {
        public static HttpRouteMetadata Metadata { get; } = new("DailyReport", ["GET"], "reports/daily/{date}.pdf", HttpAuthLevel.Function);

        public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
            => Task.FromResult(Results.Text($"report for {request.RouteValues["date"]}"));
    }

    private sealed class CsvRoute : IHttpRoute
    {
        public static HttpRouteMetadata Metadata { get; } = new("Csv", ["GET"], IncidentFunctions.Reports.ReportCsvEndpoint.Template, HttpAuthLevel.Function);

        public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
            => Task.FromResult(Results.Text($"csv {request.RouteValues["kind"]} {request.RouteValues["period"]}"));
    }

    private sealed class PeriodPdfRoute : IHttpRoute
    {
        public static HttpRouteMetadata Metadata { get; } = new("PeriodPdf", ["GET"], IncidentFunctions.Reports.PeriodReportEndpoint.Template, HttpAuthLevel.Function);

        public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
            => Task.FromResult(Results.Text($"pdf {request.RouteValues["kind"]} {request.RouteValues["period"]}"));
    }

    private sealed class SharedCsvRoute : IHttpRoute
    {
        public static HttpRouteMetadata Metadata { get; } = new("SharedCsv", ["GET"], IncidentFunctions.Reports.SharedReportCsvEndpoint.Template, HttpAuthLevel.Anonymous);

        public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
            => Task.FromResult(Results.Text($"shared {request.RouteValues["kind"]} {request.RouteValues["period"]}"));
    }

    private sealed class PingRoute(RequestCounter counter) : IHttpRoute
    {
        public static HttpRouteMetadata Metadata { get; } = new("Ping", ["get"], "ping", HttpAuthLevel.Anonymous);

        public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            GC.KeepAlive(counter);
            return Task.FromResult(Results.Text("pong"));
        }
    }
}
