using System.Collections.Concurrent;
using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Queues;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace IncidentFunctions.Tests.LocalRunner.Queues;

/// <summary>
/// The queue listener against Azurite, with a test host.json that polls every 200 ms at most and retries at once.
/// Tests wait for the listener's log lines, then check the queues themselves.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class QueueListenerTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private const int Listening = 9300;
    private const int Executed = 9302;
    private const int Failed = 9303;
    private const int MovedToPoison = 9304;
    private const int BadEncoding = 9305;
    private const int TimedOut = 9306;
    private const int ReleasedAtShutdown = 9307;
    private const int VisibilityRenewed = 9310;
    private const int RenewFailed = 9311;
    private const int StorageUnavailable = 9308;
    private const int WaitingForInFlight = 9313;

    private readonly string _queueName = UniqueNames.Queue("runner");
    private readonly HostJsonSettings _hostJson = TestHostJson.Load(TestHostJson.FastQueues);
    private ServiceProvider? _services;
    private QueueListener? _listener;

    private FakeLogCollector Logs => _services!.GetFakeLogCollector();

    private QueueClient Base64Queue(string name) => new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private QueueClient RawQueue(string name) => new(azurite.ConnectionString, name);

    [Fact]
    public async Task StartAsync_QueuesMissing_CreatesTheQueueAndItsPoisonQueue()
    {
        await StartAsync((_, _, _) => Task.CompletedTask);

        await Logs.WaitForEventAsync(Listening);

        Assert.True(await RawQueue(_queueName).ExistsAsync(TestContext.Current.CancellationToken));
        Assert.True(await RawQueue(_queueName + "-poison").ExistsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartAsync_StorageRefuses_KeepsRetryingWithBackOffAndStopsCleanly()
    {
        // An account that answers 403 to everything (not retried by the SDK): the listener must neither stop the app
        // nor spin, and must never run the handler.
        var requests = 0;
        var (storage, address) = await LoopbackServer.StartAsync(server => server.Run(context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }));
        await using var _ = storage;
        var account = $"http://{address.Authority}/{AzuriteProcess.AccountName}";
        var refusing = new QueueServiceClient($"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};QueueEndpoint={account};");
        var calls = 0;

        await StartAsync((_, _, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }, queues: refusing);
        var first = await Logs.WaitForEventAsync(StorageUnavailable);
        var second = await Logs.WaitForEventAsync(StorageUnavailable, 2);
        var third = await Logs.WaitForEventAsync(StorageUnavailable, 3);
        await _listener!.StopAsync(TestContext.Current.CancellationToken).Within();

        // Back-off from 100 ms, doubling up to host.json's maxPollingInterval (200 ms in the test file).
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200)],
            new[] { first, second, third }.Select(r => r.Value<TimeSpan>("Delay")));
        // An outage is one line each time, without the stack trace.
        Assert.All(new[] { first, second, third }, r => Assert.Equal((null, "answered 403"), (r.Exception, r.Value<string>("Failure"))));
        Assert.Equal(LogLevel.Warning, first.Level);
        Assert.DoesNotContain(Logs.GetSnapshot(), r => r.Id.Id == Listening);
        Assert.Equal(0, Volatile.Read(ref calls));
        // One request per attempt, each followed by its back-off: no hot loop (an attempt may be in flight at stop).
        Assert.InRange(Volatile.Read(ref requests), 3, Logs.GetSnapshot().Count(r => r.Id.Id == StorageUnavailable) + 1);
    }

    [Fact]
    public async Task ExecuteAsync_Base64Message_HandlerGetsTheDecodedBodyAndTheMessageIsDeleted()
    {
        const string Body = """{"source":"203.0.113.7","note":"ü€"}""";
        await SendAsync(Base64Queue(_queueName), Body);
        var bodies = new ConcurrentBag<string>();

        await StartAsync((_, body, _) =>
        {
            bodies.Add(body);
            return Task.CompletedTask;
        });
        await Logs.WaitForEventAsync(Executed);

        Assert.Equal([Body], bodies);
        Assert.Equal(0, await CountAsync(_queueName));
        Assert.Equal(0, await CountAsync(_queueName + "-poison"));
    }

    [Fact]
    public async Task ExecuteAsync_HandlerAlwaysFails_RetriesUpToMaxDequeueCountThenPoisonsTheOriginalBody()
    {
        const string Body = "enrich 198.51.100.1";
        await SendAsync(Base64Queue(_queueName), Body);
        var attempts = 0;

        await StartAsync((_, _, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("enrichment is down");
        });
        await Logs.WaitForEventAsync(MovedToPoison);

        Assert.Equal(_hostJson.Queues.MaxDequeueCount, Volatile.Read(ref attempts));
        var failures = Logs.GetSnapshot().Where(r => r.Id.Id == Failed).ToList();
        Assert.Equal(3, failures.Count);
        Assert.All(failures, f => Assert.IsType<InvalidOperationException>(f.Exception));
        Assert.Equal(0, await CountAsync(_queueName));
        var poisoned = await Base64Queue(_queueName + "-poison").ReceiveMessagesAsync(32, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([Body], poisoned.Value.Select(m => m.Body.ToString()));
    }

    [Fact]
    public async Task ExecuteAsync_FailsOnceThenSucceeds_IsRetriedAndDeleted()
    {
        var attempts = 0;
        await SendAsync(Base64Queue(_queueName), "flaky");

        await StartAsync((_, _, _) => Interlocked.Increment(ref attempts) == 1 ? throw new TimeoutException("blip") : Task.CompletedTask);
        await Logs.WaitForEventAsync(Executed);

        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Equal(0, await CountAsync(_queueName));
        Assert.Equal(0, await CountAsync(_queueName + "-poison"));
    }

    [Fact]
    public async Task ExecuteAsync_BodyIsNotBase64_PoisonsItAtOnceWithoutCallingTheHandler()
    {
        const string Body = "{\"raw\": \"not base64!\"}";
        await SendAsync(RawQueue(_queueName), Body);
        var calls = 0;

        await StartAsync((_, _, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        });
        await Logs.WaitForEventAsync(MovedToPoison);

        Assert.Equal(0, Volatile.Read(ref calls));
        var reason = Assert.Single(Logs.GetSnapshot(), r => r.Id.Id == BadEncoding);
        Assert.Contains("base64", reason.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(_queueName));
        var poisoned = await RawQueue(_queueName + "-poison").ReceiveMessagesAsync(32, cancellationToken: TestContext.Current.CancellationToken);
        var message = Assert.Single(poisoned.Value);
        Assert.Equal(Body, message.Body.ToString());
    }

    [Fact]
    public async Task ExecuteAsync_EncodingNone_HandlerGetsTheRawBody()
    {
        const string Body = "{\"raw\":true}";
        await SendAsync(RawQueue(_queueName), Body);
        var bodies = new ConcurrentBag<string>();

        await StartAsync((_, body, _) =>
        {
            bodies.Add(body);
            return Task.CompletedTask;
        }, _hostJson with { Queues = _hostJson.Queues with { MessageEncoding = HostQueueMessageEncoding.None } });
        await Logs.WaitForEventAsync(Executed);

        Assert.Equal([Body], bodies);
        Assert.Equal(0, await CountAsync(_queueName));
    }

    [Fact]
    public async Task ExecuteAsync_EachMessage_GetsAFreshScope()
    {
        await SendAsync(Base64Queue(_queueName), "a");
        await SendAsync(Base64Queue(_queueName), "b");
        var probes = new ConcurrentBag<ScopedProbe>();

        await StartAsync((sp, _, _) =>
        {
            probes.Add(sp.GetRequiredService<ScopedProbe>());
            return Task.CompletedTask;
        });
        await Logs.WaitForEventAsync(Executed, 2);

        Assert.Equal(2, probes.Distinct().Count());
    }

    [Fact]
    public async Task ExecuteAsync_ManyMessages_ConcurrencyPeaksAtBatchSizePlusNewBatchThreshold()
    {
        // batchSize 2 + newBatchThreshold 1: a second batch is fetched once one of the first two is done.
        var hostJson = _hostJson with { Queues = _hostJson.Queues with { BatchSize = 2, NewBatchThreshold = 1 } };
        const int Messages = 9;
        for (var i = 0; i < Messages; i++) await SendAsync(Base64Queue(_queueName), $"m{i}");
        var gate = new SemaphoreSlim(0);
        var started = new SemaphoreSlim(0);
        int inFlight = 0, peak = 0;

        await StartAsync(async (_, _, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            started.Release();
            await gate.WaitAsync(ct);
            Interlocked.Decrement(ref inFlight);
        }, hostJson);

        // The listener says when it stops fetching; a listener that over-fetches says so with a bigger count.
        var firstPause = await Logs.WaitForEventAsync(WaitingForInFlight, 1);
        await WaitAsync(started, 2);
        gate.Release();
        var secondPause = await Logs.WaitForEventAsync(WaitingForInFlight, 2);
        await WaitAsync(started, 2);
        var handlersAfterRefill = Volatile.Read(ref inFlight);
        gate.Release(Messages);
        await Logs.WaitForEventAsync(Executed, Messages);

        Assert.Equal(2, firstPause.Value<int>("InFlight"));
        Assert.Equal(3, secondPause.Value<int>("InFlight"));
        Assert.Equal(3, handlersAfterRefill);
        Assert.Equal(hostJson.Queues.MaxConcurrency, Volatile.Read(ref peak));
        Assert.Equal(0, await CountAsync(_queueName));
    }

    [Fact]
    public async Task StopAsync_HandlerRunning_CancelsItAndMakesTheMessageVisibleAgain()
    {
        await SendAsync(Base64Queue(_queueName), "long job");
        var started = new SemaphoreSlim(0);
        await StartAsync(async (_, _, ct) =>
        {
            started.Release();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        await WaitAsync(started, 1);

        await _listener!.StopAsync(TestContext.Current.CancellationToken).Within();

        await Logs.WaitForEventAsync(ReleasedAtShutdown);
        var again = await Base64Queue(_queueName).ReceiveMessagesAsync(1, cancellationToken: TestContext.Current.CancellationToken);
        var message = Assert.Single(again.Value);
        Assert.Equal("long job", message.Body.ToString());
        Assert.Equal(2, message.DequeueCount);
    }

    [Fact]
    public async Task ExecuteAsync_HandlerOutlivesTheLease_RenewsItAndDeletesWithTheNewPopReceipt()
    {
        // Fake time: only the lease renewal timer matters here; the message is on the queue before the first poll.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await SendAsync(Base64Queue(_queueName), "slow");
        var started = new SemaphoreSlim(0);
        var gate = new SemaphoreSlim(0);
        await StartAsync(async (_, _, ct) =>
        {
            started.Release();
            await gate.WaitAsync(ct);
        }, _hostJson with { FunctionTimeout = null, Queues = _hostJson.Queues with { BatchSize = 1, NewBatchThreshold = 0 } }, time);
        await WaitAsync(started, 1);

        time.Advance(QueueListener.ProcessingVisibility / 2);
        var renewed = await Logs.WaitForEventAsync(VisibilityRenewed);
        gate.Release();
        await Logs.WaitForEventAsync(Executed);

        Assert.Equal(LogLevel.Debug, renewed.Level);
        Assert.Equal(0, await CountAsync(_queueName));
    }

    [Fact]
    public async Task ExecuteAsync_RenewalCannotReachStorage_LogsItRenewsOnceStorageIsBackAndDeletesTheMessage()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await SendAsync(Base64Queue(_queueName), "slow");
        var connection = new RefusedConnection();
        var started = new SemaphoreSlim(0);
        var gate = new SemaphoreSlim(0);
        await StartAsync(async (_, _, ct) =>
        {
            started.Release();
            await gate.WaitAsync(ct);
        }, _hostJson with { FunctionTimeout = null, Queues = _hostJson.Queues with { BatchSize = 1, NewBatchThreshold = 0 } }, time,
            new QueueServiceClient(azurite.ConnectionString, connection.Install(new QueueClientOptions())));
        await WaitAsync(started, 1);

        connection.Refusing = true;
        time.Advance(QueueListener.ProcessingVisibility / 2);
        var failed = await Logs.WaitForEventAsync(RenewFailed);
        connection.Refusing = false;
        // The next try comes sooner than a regular renewal; advance until it has been scheduled and has run.
        for (var step = 0; !Logs.GetSnapshot().Any(r => r.Id.Id == VisibilityRenewed); step++)
        {
            Assert.True(step < 400, "no renewal after storage came back");
            time.Advance(QueueListener.ProcessingVisibility / 8);
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        gate.Release();
        await Logs.WaitForEventAsync(Executed);

        Assert.IsType<AggregateException>(failed.Exception); // the SDK's retries, all refused
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal(0, await CountAsync(_queueName));
        Assert.Equal(0, await CountAsync(_queueName + "-poison"));
    }

    [Fact]
    public async Task ExecuteAsync_HandlerExceedsFunctionTimeout_IsCancelledAndCountsAsAFailedAttempt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await SendAsync(Base64Queue(_queueName), "stuck once");
        var started = new SemaphoreSlim(0);
        var attempts = 0;
        await StartAsync(async (_, _, ct) =>
        {
            var attempt = Interlocked.Increment(ref attempts);
            started.Release();
            if (attempt == 1) await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }, _hostJson with { FunctionTimeout = TimeSpan.FromMinutes(1), Queues = _hostJson.Queues with { BatchSize = 1, NewBatchThreshold = 0 } }, time);
        await WaitAsync(started, 1);

        time.Advance(TimeSpan.FromMinutes(1));
        var timedOut = await Logs.WaitForEventAsync(TimedOut);
        await Logs.WaitForEventAsync(Executed);

        Assert.IsType<TaskCanceledException>(timedOut.Exception);
        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Equal(0, await CountAsync(_queueName));
        Assert.Equal(0, await CountAsync(_queueName + "-poison"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.StopAsync(CancellationToken.None);
            _listener.Dispose();
        }

        if (_services is not null) await _services.DisposeAsync();
        await RawQueue(_queueName).DeleteIfExistsAsync(CancellationToken.None);
        await RawQueue(_queueName + "-poison").DeleteIfExistsAsync(CancellationToken.None);
    }

    private async Task StartAsync(Func<IServiceProvider, string, CancellationToken, Task> handle, HostJsonSettings? hostJson = null, TimeProvider? time = null, QueueServiceClient? queues = null)
    {
        _services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .AddFakeLogging()
            .AddScoped<ScopedProbe>()
            .BuildServiceProvider();
        var job = new QueueJob("TestQueueJob", "TEST_QUEUE_NAME", _ => _queueName, (services, body, ct) => handle(services, body.ToString(), ct));
        _listener = new QueueListener(job, _queueName, queues ?? new QueueServiceClient(azurite.ConnectionString), hostJson ?? _hostJson, _services,
            time ?? TimeProvider.System, _services.GetRequiredService<ILogger<QueueListener>>());
        await _listener.StartAsync(TestContext.Current.CancellationToken);
    }

    private static async Task SendAsync(QueueClient queue, string body)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await queue.SendMessageAsync(body, TestContext.Current.CancellationToken);
    }

    /// <summary>Messages on the queue, invisible ones included.</summary>
    private async Task<int> CountAsync(string queue)
    {
        var properties = await RawQueue(queue).GetPropertiesAsync(TestContext.Current.CancellationToken);
        return properties.Value.ApproximateMessagesCount;
    }

    private static async Task WaitAsync(SemaphoreSlim signal, int count)
    {
        for (var i = 0; i < count; i++) await signal.WaitAsync(TestContext.Current.CancellationToken).Within();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
        }
    }

    private sealed class ScopedProbe;
}
