using System.Threading.Channels;
using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentFunctions.Tests.LocalRunner.Timers;

/// <summary>
/// The timer service on a <see cref="FakeTimeProvider"/>. The service logs each armed timer (event 9201, "next run")
/// only after arming it, so the tests wait for that line, then move the clock exactly to the announced instant.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class CronTimerServiceTests : IAsyncDisposable
{
    private const int NextRun = 9201;
    private const int Executed = 9203;
    private const int Failed = 9204;
    private const int TickSkipped = 9205;
    private const int TimedOut = 9206;
    private const int CancelledAtShutdown = 9207;

    private static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 3, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly Channel<DateTimeOffset> _runs = Channel.CreateUnbounded<DateTimeOffset>();
    private ServiceProvider? _services;
    private CronTimerService? _service;

    private FakeLogCollector Logs => _services!.GetFakeLogCollector();

    [Fact]
    public async Task StartAsync_EveryTenSeconds_RunsAtEachOccurrenceInUtc()
    {
        await StartAsync("*/10 * * * * *", (_, _) => RecordRun());

        DateTimeOffset[] expected = [At(10, 0, 10), At(10, 0, 20), At(10, 0, 30)];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], await AdvanceToNextRunAsync(i + 1));
            Assert.Equal(expected[i], await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within());
        }
    }

    [Fact]
    public async Task StartAsync_DailySchedule_FirstRunIsTheNextMatchingUtcInstant()
    {
        await StartAsync("0 30 2 * * *", (_, _) => RecordRun());

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 30, 0, TimeSpan.Zero), await AdvanceToNextRunAsync(1));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 30, 0, TimeSpan.Zero), await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within());
    }

    [Fact]
    public async Task StartAsync_TickWhileRunning_SkipsTheTickAndRunsAtTheNextOne()
    {
        var firstRunGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await StartAsync("*/10 * * * * *", async (_, ct) =>
        {
            var call = Interlocked.Increment(ref calls);
            await RecordRun();
            if (call == 1) await firstRunGate.Task.WaitAsync(ct);
        });

        await AdvanceToNextRunAsync(1);
        await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within();
        var skippedAt = await AdvanceToNextRunAsync(2);
        var skipped = await Logs.WaitForEventAsync(TickSkipped);
        firstRunGate.SetResult();
        await Logs.WaitForEventAsync(Executed);
        var third = await AdvanceToNextRunAsync(3);

        Assert.Equal(At(10, 0, 20), skippedAt);
        Assert.Equal(skippedAt, skipped.Value<DateTimeOffset>("ScheduledAt"));
        Assert.Equal(At(10, 0, 30), await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within());
        Assert.Equal(At(10, 0, 30), third);
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task StartAsync_RunThrows_LogsTheExceptionAndKeepsTheSchedule()
    {
        var calls = 0;
        await StartAsync("*/10 * * * * *", async (_, _) =>
        {
            await RecordRun();
            if (Interlocked.Increment(ref calls) == 1) throw new InvalidDataException("first run breaks");
        });

        await AdvanceToNextRunAsync(1);
        var failure = await Logs.WaitForEventAsync(Failed);
        await AdvanceToNextRunAsync(2);
        await Logs.WaitForEventAsync(Executed);

        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.IsType<InvalidDataException>(failure.Exception);
        Assert.Equal([At(10, 0, 10), At(10, 0, 20)], [await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken), await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken)]);
    }

    [Fact]
    public async Task StartAsync_EachRun_GetsAFreshScope()
    {
        var scopedServices = new List<ScopedProbe>();
        await StartAsync("*/10 * * * * *", async (sp, _) =>
        {
            lock (scopedServices) scopedServices.Add(sp.GetRequiredService<ScopedProbe>());
            await RecordRun();
        });

        await AdvanceToNextRunAsync(1);
        await Logs.WaitForEventAsync(Executed, 1);
        await AdvanceToNextRunAsync(2);
        await Logs.WaitForEventAsync(Executed, 2);

        Assert.Equal(2, scopedServices.Count);
        Assert.NotSame(scopedServices[0], scopedServices[1]);
        Assert.All(scopedServices, p => Assert.True(p.Disposed));
    }

    [Fact]
    public async Task StartAsync_RunLongerThanFunctionTimeout_IsCancelledAndTheScheduleContinues()
    {
        var calls = 0;
        await StartAsync("0 */5 * * * *", async (_, ct) =>
        {
            await RecordRun();
            if (Interlocked.Increment(ref calls) == 1) await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }, HostJsonSettings.Default with { FunctionTimeout = TimeSpan.FromMinutes(1) });

        await AdvanceToNextRunAsync(1);
        await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within();
        _time.Advance(TimeSpan.FromMinutes(1));
        var timedOut = await Logs.WaitForEventAsync(TimedOut);
        var next = await AdvanceToNextRunAsync(2);

        Assert.IsType<TaskCanceledException>(timedOut.Exception);
        Assert.Equal(TimeSpan.FromMinutes(1), timedOut.Value<TimeSpan>("Timeout"));
        Assert.Equal(At(10, 10, 0), next);
        Assert.Equal(At(10, 10, 0), await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within());
    }

    [Fact]
    public async Task StopAsync_RunInFlight_CancelsTheRun()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await StartAsync("*/10 * * * * *", async (_, ct) =>
        {
            await RecordRun();
            await using var registration = ct.Register(cancelled.SetResult);
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        await AdvanceToNextRunAsync(1);
        await _runs.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Within();

        await _service!.StopAsync(TestContext.Current.CancellationToken).Within();

        Assert.True(cancelled.Task.IsCompleted);
        await Logs.WaitForEventAsync(CancelledAtShutdown);
    }

    [Fact]
    public async Task StartAsync_InvalidSchedule_FailsNamingTheSetting()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("0 */5 * * *", (_, _) => Task.CompletedTask));

        Assert.Contains("TEST_SCHEDULE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0 */5 * * *", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TimersDisabled_ArmsNoTimer()
    {
        await StartAsync("*/10 * * * * *", (_, _) => RecordRun(), enableTimers: false);

        Assert.DoesNotContain(Logs.GetSnapshot(), r => r.Id.Id == NextRun);
        Assert.Contains(Logs.GetSnapshot(), r => r.Id.Id == 9208);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
            _service.Dispose();
        }

        if (_services is not null) await _services.DisposeAsync();
    }

    private async Task StartAsync(string schedule, Func<IServiceProvider, CancellationToken, Task> run, HostJsonSettings? hostJson = null, bool enableTimers = true)
    {
        _services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .AddFakeLogging()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton(hostJson ?? HostJsonSettings.Default with { FunctionTimeout = null })
            .AddSingleton(Options.Create(new LocalRunnerOptions { EnableTimers = enableTimers }))
            .AddScoped<ScopedProbe>()
            .AddSingleton(new ScheduledJob("TestJob", "TEST_SCHEDULE", _ => schedule, run))
            .BuildServiceProvider();
        _service = ActivatorUtilities.CreateInstance<CronTimerService>(_services);
        await _service.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Waits until the service has armed its <paramref name="occurrence"/>-th timer, then moves the clock to it.</summary>
    private async Task<DateTimeOffset> AdvanceToNextRunAsync(int occurrence)
    {
        var armed = await Logs.WaitForEventAsync(NextRun, occurrence);
        var next = armed.Value<DateTimeOffset>("Next");
        _time.SetUtcNow(next);
        return next;
    }

    private Task RecordRun() => _runs.Writer.WriteAsync(_time.GetUtcNow()).AsTask();

    private static DateTimeOffset At(int hour, int minute, int second) => new(2026, 11, 26, hour, minute, second, TimeSpan.Zero);

    private sealed class ScopedProbe : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
