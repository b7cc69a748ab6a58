using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.WallarmSimulator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// The real composition root against real Azurite and the Wallarm simulator, with only configuration overridden:
/// unique tables and queue per harness, a <see cref="ManualClock"/> shared by the app and the simulator, fast retries,
/// every log line captured, and HTTP to this machine only (<see cref="LocalOnlyHttp"/>: disposing a harness whose host
/// asked for anything else fails the test).
/// </summary>
public sealed class AppHarness : IAsyncDisposable
{
    private AppHarness(IHost host, WallarmSimulatorHost simulator, ManualClock clock, string tablePrefix, string queueName, string connectionString, LocalOnlyHttp outbound)
    {
        Host = host;
        Outbound = outbound;
        Simulator = simulator;
        Clock = clock;
        TablePrefix = tablePrefix;
        QueueName = queueName;
        ConnectionString = connectionString;
    }

    public IHost Host { get; }

    public WallarmSimulatorHost Simulator { get; }

    public ManualClock Clock { get; }

    public string TablePrefix { get; }

    public string QueueName { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => Host.Services;

    /// <summary>The host's HTTP requests refused for leaving this machine.</summary>
    public LocalOnlyHttp Outbound { get; }

    public FakeLogCollector Logs => Host.Services.GetFakeLogCollector();

    /// <summary>A host for <paramref name="tenant"/> (the simulator's client id) whose clock stands at <paramref name="now"/>: the storage tests' start.</summary>
    public static Task<AppHarness> StartAsync(AzuriteFixture azurite, long tenant, DateTimeOffset now, IReadOnlyDictionary<string, string?>? settings = null)
        => StartAsync(azurite, o => o.ClientId = tenant, settings, new ManualClock(now));

    public static async Task<AppHarness> StartAsync(
        AzuriteFixture azurite,
        Action<SimulatorOptions>? simulator = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        ManualClock? clock = null,
        Action<IServiceCollection>? services = null)
    {
        clock ??= new ManualClock();
        var simulatorOptions = new SimulatorOptions { IncidentsPerDay = 120, PlainAttacksPerDay = 40 };
        simulator?.Invoke(simulatorOptions);
        var sim = await WallarmSimulatorHost.StartAsync(simulatorOptions, clock);

        var tablePrefix = UniqueNames.TablePrefix();
        var queueName = UniqueNames.Queue("enrich");
        var configuration = new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = sim.BaseAddress.AbsoluteUri,
            ["Wallarm:ApiToken"] = simulatorOptions.ApiToken,
            ["Wallarm:RetryBaseDelay"] = "00:00:00.050",
            ["Wallarm:RetryMaxDelay"] = "00:00:02",
            ["Wallarm:AttemptTimeout"] = "00:00:05",
            ["Wallarm:TotalTimeout"] = "00:00:30",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = tablePrefix,
            [AppSettingNames.EnrichmentQueueName] = queueName,
            ["Ingestion:InitialLookback"] = "1.00:00:00",
            ["Reports:TimeZone"] = "UTC",
            // Intel from the simulator's feeds only: fast and deterministic. Tests that want the npm data set it back.
            ["Enrichment:SimulatorFeeds"] = sim.BaseAddress.AbsoluteUri,
            ["Enrichment:UseDefaultSources"] = "false",
            ["Enrichment:DownloadRetries"] = "0",
            // Test hosts render nothing they were not asked for (ReportWarmupTests test the warm-up itself).
            ["Reports:WarmUpOnStart"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        var outbound = LocalOnlyHttp.AddTo(builder.Services);
        builder.AddIncidentFunctions();
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new AppHarness(host, sim, clock, tablePrefix, queueName, azurite.ConnectionString, outbound);
    }

    public T Get<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    /// <summary>One run of the <c>PullIncidents</c> job, resolved in its own scope as a function invocation would be.</summary>
    public async Task<PullResult> PullAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IncidentPuller>().RunAsync(cancellationToken);
    }

    /// <summary>
    /// One request through the route class resolved from a request scope, as either host resolves it: <paramref name="prepare"/>
    /// sets what the host would have bound (method, route values, query, headers; GET by default). The body is written
    /// to <paramref name="responseBody"/> when given (and not returned), else returned.
    /// </summary>
    public async Task<(int Status, IHeaderDictionary Headers, byte[] Body)> SendAsync<TRoute>(Action<HttpRequest>? prepare = null, Stream? responseBody = null)
        where TRoute : class, IHttpRoute
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Get;
        prepare?.Invoke(context.Request);
        var buffer = new MemoryStream();
        context.Response.Body = responseBody ?? buffer;
        var result = await scope.ServiceProvider.GetRequiredService<TRoute>().HandleAsync(context.Request, TestContext.Current.CancellationToken);
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, context.Response.Headers, buffer.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        await Simulator.DisposeAsync();
        Outbound.ThrowIfAnyRefused();
    }
}
