using System.Net;
using IncidentFunctions.AppModel;
using IncidentFunctions.Tests.LocalRunner;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IncidentFunctions.Tests.AppModel;

/// <summary>The timeout → retry → timeout pipeline the Wallarm, intel and chat clients share, on a fake clock.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class HttpResilienceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly SemaphoreSlim _started = new(0);
    private readonly List<ServiceProvider> _providers = [];
    private int _attempts;

    /// <summary>Answers attempt <c>n</c> (1-based) with 200 when <paramref name="answerFrom"/> ≤ n; earlier attempts hang until cut.</summary>
    private sealed class Server(HttpResilienceTests test, int answerFrom) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref test._attempts);
            test._started.Release();
            if (attempt < answerFrom) await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private HttpClient Client(int answerFrom, TimeSpan total, TimeSpan attempt, int retries)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddHttpClient("test", http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new Server(this, answerFrom))
            .AddTimeoutRetryTimeout("test", _ => new HttpResiliencePlan(total, attempt, new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.Zero,
            }));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<IHttpClientFactory>().CreateClient("test");
    }

    /// <summary>Waits until the next attempt has reached the server, then moves the clock.</summary>
    private async Task AdvanceAfterAttemptAsync(TimeSpan by)
    {
        Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "no attempt reached the server");
        _time.Advance(by);
    }

    [Fact]
    public async Task AddTimeoutRetryTimeout_SlowAttempt_IsCutByTheAttemptTimeoutAndRetried()
    {
        var http = Client(answerFrom: 2, total: TimeSpan.FromSeconds(30), attempt: TimeSpan.FromSeconds(5), retries: 2);

        var call = http.GetAsync(new Uri("http://resilience.test/"), TestContext.Current.CancellationToken);
        await AdvanceAfterAttemptAsync(TimeSpan.FromSeconds(5));
        using var response = await call.Within();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _attempts);
    }

    [Fact]
    public async Task AddTimeoutRetryTimeout_ZeroRetries_FirstAttemptTimeoutEndsTheCall()
    {
        var http = Client(answerFrom: 2, total: TimeSpan.FromSeconds(30), attempt: TimeSpan.FromSeconds(5), retries: 0);

        var call = http.GetAsync(new Uri("http://resilience.test/"), TestContext.Current.CancellationToken);
        await AdvanceAfterAttemptAsync(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.Within());
        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task AddTimeoutRetryTimeout_RetriesLeft_TotalTimeoutStillEndsTheCallOnTime()
    {
        var http = Client(answerFrom: int.MaxValue, total: TimeSpan.FromSeconds(12), attempt: TimeSpan.FromSeconds(5), retries: 10);

        var call = http.GetAsync(new Uri("http://resilience.test/"), TestContext.Current.CancellationToken);
        await AdvanceAfterAttemptAsync(TimeSpan.FromSeconds(5));
        await AdvanceAfterAttemptAsync(TimeSpan.FromSeconds(5));
        await AdvanceAfterAttemptAsync(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => call.Within());
        Assert.Equal(TimeSpan.FromSeconds(12), error.Timeout);
        Assert.Equal(3, _attempts);
    }

    /// <summary>Attempt 1 cannot connect, attempt 2 is answered 503, attempt 3 with 200.</summary>
    private sealed class FlakyServer : HttpMessageHandler
    {
        private int _attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Interlocked.Increment(ref _attempts) switch
            {
                1 => throw new HttpRequestException("Name or service not known (wallarm.test:443)", new System.Net.Sockets.SocketException(-131073)),
                2 => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
                _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)),
            };
    }

    /// <summary>A client named "Wallarm" over <see cref="FlakyServer"/>, logging everything into a fake collector.</summary>
    private (HttpClient Http, FakeLogCollector Logs) FlakyClient(Func<OnRetryArguments<HttpResponseMessage>, ValueTask>? onRetry = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(TimeProvider.System);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddHttpClient("Wallarm", http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new FlakyServer())
            .AddTimeoutRetryTimeout("wallarm", _ => new HttpResiliencePlan(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.FromMilliseconds(1),
                UseJitter = false,
                OnRetry = onRetry,
            }));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return (provider.GetRequiredService<IHttpClientFactory>().CreateClient("Wallarm"), provider.GetFakeLogCollector());
    }

    [Fact]
    public async Task AddTimeoutRetryTimeout_FailedAttempts_EachRetryIsOneLineWithoutAStackTrace()
    {
        var (http, logs) = FlakyClient();

        using var response = await http.GetAsync(new Uri("https://wallarm.test/v1/objects/attack?secret=1"), TestContext.Current.CancellationToken).Within();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var retries = logs.GetSnapshot().Where(r => r.Id.Id == 1000).ToList();
        Assert.Equal(
            [
                "Wallarm: GET to wallarm.test HttpRequestException: Name or service not known (wallarm.test:443); retry 1 in 00:00:00.0010000",
                "Wallarm: GET to wallarm.test answered 503 (ServiceUnavailable); retry 2 in 00:00:00.0010000",
            ],
            retries.Select(r => r.Message));
        Assert.All(retries, r => Assert.Equal((LogLevel.Warning, null), (r.Level, r.Exception)));
        // Polly's own lines for the same attempts carry the exception: they are kept for debugging, below the default
        // level. (The framework's HTTP client lines are lowered by host.json, see HostJsonLogLevelsTests.)
        var polly = logs.GetSnapshot().Where(r => r.Category == "Polly").ToList();
        Assert.DoesNotContain(polly, r => r.Level > LogLevel.Debug);
        Assert.Contains(polly, r => r.Exception is HttpRequestException);
    }

    [Fact]
    public async Task AddTimeoutRetryTimeout_PlanLogsItsOwnRetries_NoSecondLine()
    {
        var own = 0;
        var (http, logs) = FlakyClient(_ =>
        {
            Interlocked.Increment(ref own);
            return default;
        });

        using var response = await http.GetAsync(new Uri("https://wallarm.test/"), TestContext.Current.CancellationToken).Within();

        Assert.Equal(2, own);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1000);
    }

    [Fact]
    public void Describe_UndefinedStatusCode_IsTheNumberAlone()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)599);

        Assert.Equal("answered 599", HttpResilience.Describe(Outcome.FromResult(response)));
    }

    public void Dispose()
    {
        foreach (var provider in _providers) provider.Dispose();
        _started.Dispose();
    }
}
