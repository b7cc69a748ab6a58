using System.Net;
using IncidentFunctions.AppModel;
using IncidentFunctions.Tests.LocalRunner;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Time.Testing;
using Polly;
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

    public void Dispose()
    {
        foreach (var provider in _providers) provider.Dispose();
        _started.Dispose();
    }
}
