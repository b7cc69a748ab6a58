using IncidentFunctions.AppModel;
using Azure;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;
using System.Text.Json.Serialization;

namespace IncidentFunctions.Incidents;

/// <summary>Health of one tenant's pull, worst last: the order is used to summarise several tenants.</summary>
public enum PullHealth
{
    /// <summary>The checkpoint is recent and the last run succeeded.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>No window has been pulled yet (first run pending or still running).</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>The last run stopped at its budget and the next one resumes; lag is expected to shrink.</summary>
    [JsonStringEnumMemberName("catching-up")]
    CatchingUp,

    /// <summary>The checkpoint is older than two schedule intervals plus a run budget: runs are not happening.</summary>
    [JsonStringEnumMemberName("stale")]
    Stale,

    /// <summary>The last run failed; <see cref="TenantPullStatus.LastError"/> says why.</summary>
    [JsonStringEnumMemberName("failing")]
    Failing,
}

/// <summary>What Wallarm's <c>time</c> filter was seen to match; checked by each run (see <c>IncidentPuller</c>).</summary>
public static class TimeFilterMatch
{
    /// <summary>An incident matches a window when its first–last span overlaps it.</summary>
    public const string Overlap = "overlap";

    /// <summary>An incident matches a window only when its first hit lies in it.</summary>
    public const string FirstHit = "first-hit";
}

/// <summary>One tenant's pull checkpoint as the status endpoint shows it.</summary>
/// <param name="LastErrorSetting">The app setting the last failure points at, when it points at one.</param>
/// <param name="QuarantinedRecords">Records that could not be stored and are still unresolved.</param>
/// <param name="TimeFilter"><see cref="TimeFilterMatch"/>; null until a run could tell.</param>
public sealed record TenantPullStatus(
    long TenantId,
    PullHealth Health,
    DateTimeOffset? PulledUntil,
    double? LagSeconds,
    bool Running,
    string? LastRunId,
    string? LastOutcome,
    string? LastError,
    DateTimeOffset? LastRunStartedAt,
    DateTimeOffset? LastRunFinishedAt,
    DateTimeOffset? LastSuccessAt,
    long IncidentsWritten,
    string? TimeZone,
    string? LastErrorSetting = null,
    int QuarantinedRecords = 0,
    int LastRunQuarantined = 0,
    string? TimeFilter = null);

/// <summary>The last run of the pull job, also one that failed before it knew its tenant.</summary>
public sealed record PullRunStatus(string RunId, long? TenantId, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Outcome, string? Error, string? Setting);

/// <summary>The pull status of every tenant, the last run, and what lag still counts as healthy.</summary>
/// <param name="Error">When failing: why (the last run's error, or the failing tenant's).</param>
/// <param name="Setting">When failing: the app setting to fix, when the failure points at one.</param>
public sealed record IngestionStatus(
    PullHealth Health,
    string Schedule,
    double HealthyLagSeconds,
    IReadOnlyList<TenantPullStatus> Tenants,
    PullRunStatus? LastRun = null,
    string? Error = null,
    string? Setting = null);

/// <summary>How a failed run is recorded and shown: a bounded reason and the setting to fix.</summary>
public static class IngestionFailure
{
    public const int MaxReasonChars = 2_000;

    public static (string Reason, string? Setting) Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        // Said as FailureText says it: the SDK's messages run to its response headers and its advice on retry settings.
        var failure = FailureText.Of(error);
        var reason = StoredText.Bound(error switch
        {
            RequestFailedException { Status: 401 or 403 } => $"Storage refused access ({failure}): check Storage__ConnectionString, or with a managed identity its Storage Table/Queue data roles.",
            _ when StorageFailure.IsUnavailable(error) => "Storage: " + failure,
            _ => failure,
        }, MaxReasonChars)!;
        var setting = error switch
        {
            WallarmException wallarm => wallarm.Setting,
            // The connection to Wallarm itself failed: wrong cloud or URL, DNS, proxy or firewall.
            HttpRequestException => "Wallarm__Cloud",
            RequestFailedException { Status: 401 or 403 } => "Storage__ConnectionString",
            _ => null,
        };
        return (reason, setting);
    }
}

/// <summary>
/// Reads the per-tenant checkpoints and the last run (see <see cref="CheckpointStore"/>) and judges them against the
/// schedule. A failed last run makes the status failing even when no tenant checkpoint exists yet (a wrong token on
/// a new deployment fails before any window is pulled).
/// </summary>
public sealed class IngestionStatusReader(CheckpointStore checkpoints, TimeProvider time, IOptions<IngestionOptions> options)
{
    public async Task<IngestionStatus> GetAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var healthyLag = HealthyLag(options.Value, now);
        var lastRunTask = checkpoints.GetLastRunAsync(cancellationToken);
        var tenants = new List<TenantPullStatus>();
        await foreach (var checkpoint in checkpoints.GetAllAsync(cancellationToken).ConfigureAwait(false))
        {
            tenants.Add(Describe(checkpoint, now, healthyLag));
        }

        tenants.Sort((a, b) => a.TenantId.CompareTo(b.TenantId));
        var lastRun = await lastRunTask.ConfigureAwait(false) is { } run
            ? new PullRunStatus(run.RunId, run.TenantId, run.StartedAt, run.FinishedAt, run.Outcome, run.Error, run.ErrorSetting)
            : null;
        return Judge(options.Value.Schedule, healthyLag, tenants, lastRun);
    }

    internal static IngestionStatus Judge(string schedule, TimeSpan healthyLag, IReadOnlyList<TenantPullStatus> tenants, PullRunStatus? lastRun)
    {
        var health = tenants.Count == 0 ? PullHealth.Pending : tenants.Max(t => t.Health);
        var lastRunFailed = lastRun?.Outcome == CheckpointEntity.FailedOutcome;
        if (lastRunFailed) health = PullHealth.Failing;
        string? error = null, setting = null;
        if (health == PullHealth.Failing)
        {
            var failingTenant = tenants.FirstOrDefault(t => t.Health == PullHealth.Failing);
            (error, setting) = lastRunFailed ? (lastRun!.Error, lastRun.Setting) : (failingTenant?.LastError, failingTenant?.LastErrorSetting);
        }

        return new IngestionStatus(health, schedule, healthyLag.TotalSeconds, tenants, lastRun, error, setting);
    }

    /// <summary>
    /// A healthy checkpoint trails "now" by at most one schedule interval plus one run; allow one missed run more.
    /// The interval is the longest gap among the next few occurrences, so irregular schedules are not flagged early.
    /// </summary>
    internal static TimeSpan HealthyLag(IngestionOptions options, DateTimeOffset now)
    {
        var schedule = TimerSchedule.TryParse(options.Schedule);
        var interval = TimeSpan.FromHours(1);
        if (schedule is not null)
        {
            var occurrences = schedule.GetNextOccurrences(now.UtcDateTime, now.UtcDateTime.AddDays(8)).Take(5).ToList();
            if (occurrences.Count >= 2)
            {
                interval = occurrences.Zip(occurrences.Skip(1), (a, b) => b - a).Max();
            }
        }

        return (2 * interval) + options.RunBudget;
    }

    internal static TenantPullStatus Describe(CheckpointEntity checkpoint, DateTimeOffset now, TimeSpan healthyLag)
    {
        var lag = checkpoint.PulledUntil is { } until ? now - until : (TimeSpan?)null;
        var running = checkpoint.LastRunStartedAt is { } started && (checkpoint.LastRunFinishedAt is not { } finished || finished < started);
        var health = checkpoint switch
        {
            { LastOutcome: CheckpointEntity.FailedOutcome } => PullHealth.Failing,
            { PulledUntil: null } => PullHealth.Pending,
            _ when lag > healthyLag => PullHealth.Stale,
            { LastOutcome: nameof(PullOutcome.Partial) or CheckpointEntity.StoppedOutcome } => PullHealth.CatchingUp,
            _ => PullHealth.Ok,
        };
        return new TenantPullStatus(
            long.TryParse(checkpoint.RowKey, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tenantId) ? tenantId : 0,
            health,
            checkpoint.PulledUntil,
            lag is { } l ? Math.Round(l.TotalSeconds) : null,
            running,
            checkpoint.LastRunId,
            checkpoint.LastOutcome,
            checkpoint.LastError,
            checkpoint.LastRunStartedAt,
            checkpoint.LastRunFinishedAt,
            checkpoint.LastSuccessAt,
            checkpoint.IncidentsWritten,
            checkpoint.TimeZone,
            checkpoint.LastErrorSetting,
            checkpoint.QuarantinedRecords,
            checkpoint.LastRunQuarantined,
            checkpoint.TimeFilter);
    }
}
