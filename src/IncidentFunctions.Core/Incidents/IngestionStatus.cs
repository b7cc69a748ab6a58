using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;
using System.Text.Json.Serialization;
using NCrontab;

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

/// <summary>One tenant's pull checkpoint as the status endpoint shows it.</summary>
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
    string? TimeZone);

/// <summary>The pull status of every tenant, and what lag still counts as healthy.</summary>
public sealed record IngestionStatus(
    PullHealth Health,
    string Schedule,
    double HealthyLagSeconds,
    IReadOnlyList<TenantPullStatus> Tenants);

/// <summary>Reads the per-tenant checkpoints (see <see cref="CheckpointStore"/>) and judges them against the schedule.</summary>
public sealed class IngestionStatusReader(CheckpointStore checkpoints, TimeProvider time, IOptions<IngestionOptions> options)
{
    public async Task<IngestionStatus> GetAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var healthyLag = HealthyLag(options.Value, now);
        var tenants = new List<TenantPullStatus>();
        await foreach (var checkpoint in checkpoints.GetAllAsync(cancellationToken).ConfigureAwait(false))
        {
            tenants.Add(Describe(checkpoint, now, healthyLag));
        }

        tenants.Sort((a, b) => a.TenantId.CompareTo(b.TenantId));
        var health = tenants.Count == 0 ? PullHealth.Pending : tenants.Max(t => t.Health);
        return new IngestionStatus(health, options.Value.Schedule, healthyLag.TotalSeconds, tenants);
    }

    /// <summary>
    /// A healthy checkpoint trails "now" by at most one schedule interval plus one run; allow one missed run more.
    /// The interval is the longest gap among the next few occurrences, so irregular schedules are not flagged early.
    /// </summary>
    internal static TimeSpan HealthyLag(IngestionOptions options, DateTimeOffset now)
    {
        var schedule = CrontabSchedule.TryParse(options.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
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
            { LastOutcome: nameof(PullOutcome.Partial) } => PullHealth.CatchingUp,
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
            checkpoint.TimeZone);
    }
}
