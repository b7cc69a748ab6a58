using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using Microsoft.Extensions.Options;
using NCrontab;

namespace IncidentFunctions.LocalRunner.Timers;

/// <summary>
/// Runs every <see cref="ScheduledJob"/> on its 6-field NCRONTAB schedule in UTC, like the Functions timer trigger:
/// one run at a time per job (a tick during a run is skipped), a fresh DI scope per run, failures logged without
/// stopping the schedule, and each run cancelled at shutdown or after host.json's <c>functionTimeout</c>.
/// Missed ticks are not replayed (no <c>UseMonitor</c>/<c>IsPastDue</c>), and there is no <c>RunOnStartup</c>.
/// </summary>
internal sealed class CronTimerService(
    IEnumerable<ScheduledJob> jobs,
    IServiceProvider services,
    HostJsonSettings hostJson,
    IOptions<LocalRunnerOptions> options,
    TimeProvider time,
    ILogger<CronTimerService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private List<(ScheduledJob Job, string Expression, CrontabSchedule Schedule)> _schedules = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.EnableTimers)
        {
            TimerLog.Disabled(logger);
            return Task.CompletedTask;
        }

        _schedules = [.. jobs.Select(Parse)];
        foreach (var (job, expression, _) in _schedules)
        {
            TimerLog.Scheduled(logger, job.FunctionName, expression, job.ScheduleSetting);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(_schedules.Select(s => RunScheduleAsync(s.Job, s.Schedule, stoppingToken)));

    private (ScheduledJob Job, string Expression, CrontabSchedule Schedule) Parse(ScheduledJob job)
    {
        var expression = job.Schedule(services);
        return TimerSchedule.TryParse(expression) is { } schedule
            ? (job, expression, schedule)
            : throw new InvalidOperationException(
                $"Timer '{job.FunctionName}': setting '{job.ScheduleSetting}' is '{expression}', which is not a 6-field NCRONTAB expression " +
                "(seconds first, UTC), e.g. '0 */5 * * * *'.");
    }

    private async Task RunScheduleAsync(ScheduledJob job, CrontabSchedule schedule, CancellationToken stoppingToken)
    {
        var running = Task.CompletedTask;
        var busy = Task.CompletedTask;
        var after = time.GetUtcNow();
        try
        {
            while (true)
            {
                var next = new DateTimeOffset(schedule.GetNextOccurrence(after.UtcDateTime), TimeSpan.Zero);
                for (var remaining = next - time.GetUtcNow(); remaining > TimeSpan.Zero; remaining = next - time.GetUtcNow())
                {
                    // Timers cannot wait longer than ~49 days; monthly and yearly schedules wait in steps.
                    var wait = Task.Delay(remaining < MaxWait ? remaining : MaxWait, time, stoppingToken);
                    // The timer is armed before the log line, so whoever reads the line may move the clock.
                    TimerLog.NextRun(logger, job.FunctionName, next);
                    await wait.ConfigureAwait(false);
                }

                // Never before the tick just fired (clocks may disagree by a hair); missed ticks are coalesced.
                var now = time.GetUtcNow();
                after = now > next ? now : next;
                if (!busy.IsCompleted)
                {
                    TimerLog.TickSkipped(logger, job.FunctionName, next);
                    continue;
                }

                var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                busy = finished.Task;
                running = RunOnceAsync(job, next, finished, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the run in flight sees the same token.
        }
        finally
        {
            await running.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One run; never throws. The timeout is armed before this returns. <paramref name="finished"/> completes when the
    /// job's code has ended, before the outcome is logged, so a tick after that log line is never skipped.
    /// </summary>
    private Task RunOnceAsync(ScheduledJob job, DateTimeOffset scheduledAt, TaskCompletionSource finished, CancellationToken stoppingToken)
    {
        var timeout = hostJson.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        return RunCoreAsync();

        async Task RunCoreAsync()
        {
            using (timeout)
            using (linked)
            {
                var invocationId = Guid.NewGuid();
                var started = time.GetTimestamp();
                TimerLog.Executing(logger, job.FunctionName, scheduledAt, invocationId);
                Exception? failure = null;
                try
                {
                    var scope = services.CreateAsyncScope();
                    await using (scope.ConfigureAwait(false))
                    {
                        // The job runs off the schedule loop even if it blocks before its first await.
                        await Task.Run(() => job.RunAsync(scope.ServiceProvider, linked.Token), CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (Exception ex)
                {
                    failure = ex;
                }

                finished.SetResult();
                var elapsed = time.GetElapsedTime(started);
                if (failure is null)
                {
                    TimerLog.Executed(logger, job.FunctionName, invocationId, elapsed);
                }
                else if (timeout.IsCancellationRequested)
                {
                    var configured = hostJson.FunctionTimeout ?? Timeout.InfiniteTimeSpan;
                    TimerLog.TimedOut(logger, failure, job.FunctionName, invocationId, configured);
                }
                else if (failure is OperationCanceledException && stoppingToken.IsCancellationRequested)
                {
                    TimerLog.CancelledAtShutdown(logger, job.FunctionName, invocationId);
                }
                else
                {
                    TimerLog.Failed(logger, failure, job.FunctionName, invocationId, elapsed);
                }
            }
        }
    }
}

internal static partial class TimerLog
{
    [LoggerMessage(EventId = 9200, Level = LogLevel.Information, Message = "Timer '{FunctionName}' scheduled '{Schedule}' (UTC) from setting {Setting}")]
    public static partial void Scheduled(ILogger logger, string functionName, string schedule, string setting);

    [LoggerMessage(EventId = 9201, Level = LogLevel.Debug, Message = "Timer '{FunctionName}' next run at {Next:o}")]
    public static partial void NextRun(ILogger logger, string functionName, DateTimeOffset next);

    [LoggerMessage(EventId = 9202, Level = LogLevel.Information, Message = "Executing 'Functions.{FunctionName}' (Reason='Timer fired at {ScheduledAt:o}', Id={InvocationId})")]
    public static partial void Executing(ILogger logger, string functionName, DateTimeOffset scheduledAt, Guid invocationId);

    [LoggerMessage(EventId = 9203, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={Duration})")]
    public static partial void Executed(ILogger logger, string functionName, Guid invocationId, TimeSpan duration);

    [LoggerMessage(EventId = 9204, Level = LogLevel.Error, Message = "Executed 'Functions.{FunctionName}' (Failed, Id={InvocationId}, Duration={Duration}); the schedule continues")]
    public static partial void Failed(ILogger logger, Exception exception, string functionName, Guid invocationId, TimeSpan duration);

    [LoggerMessage(EventId = 9205, Level = LogLevel.Warning, Message = "Timer '{FunctionName}' tick at {ScheduledAt:o} skipped: the previous run is still going")]
    public static partial void TickSkipped(ILogger logger, string functionName, DateTimeOffset scheduledAt);

    [LoggerMessage(EventId = 9206, Level = LogLevel.Error, Message = "Timeout value of {Timeout} exceeded by function 'Functions.{FunctionName}' (Id: {InvocationId}); the run was cancelled")]
    public static partial void TimedOut(ILogger logger, Exception exception, string functionName, Guid invocationId, TimeSpan timeout);

    [LoggerMessage(EventId = 9207, Level = LogLevel.Information, Message = "Run of 'Functions.{FunctionName}' (Id={InvocationId}) was cancelled: the host is shutting down")]
    public static partial void CancelledAtShutdown(ILogger logger, string functionName, Guid invocationId);

    [LoggerMessage(EventId = 9208, Level = LogLevel.Information, Message = "Timers are disabled (LocalRunner:EnableTimers is false)")]
    public static partial void Disabled(ILogger logger);
}
