using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Incidents;

/// <summary>Per-tenant pull state. The ETag makes two runs racing on one tenant fail instead of both moving it.</summary>
public sealed class CheckpointEntity : ITableEntity
{
    public const string Partition = "pull";

    /// <summary><see cref="LastOutcome"/> of a run that threw; the others are <see cref="PullOutcome"/> names.</summary>
    public const string FailedOutcome = "Failed";

    /// <summary>
    /// <see cref="LastOutcome"/> of a run its host stopped (shutting down, scaling in, a deployment, the function's
    /// timeout). Not a failure: the next run resumes from the checkpoint, and the lag says whether runs keep up.
    /// </summary>
    public const string StoppedOutcome = "Stopped";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Everything active before this instant has been pulled (minus nothing: the overlap is applied on read).</summary>
    public DateTimeOffset? PulledUntil { get; set; }

    /// <summary>Report zone the rows were filed under; a change means old days are filed differently.</summary>
    public string? TimeZone { get; set; }

    public DateTimeOffset? LastRunStartedAt { get; set; }

    public DateTimeOffset? LastRunFinishedAt { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public string? LastRunId { get; set; }

    /// <summary><c>Succeeded</c>, <c>Partial</c> (stopped by the budget), <c>Stopped</c> (by its host), or <c>Failed</c>.</summary>
    public string? LastOutcome { get; set; }

    public string? LastError { get; set; }

    /// <summary>The app setting the last failure points at (for example <c>Wallarm__ApiToken</c>), when it points at one.</summary>
    public string? LastErrorSetting { get; set; }

    public long IncidentsWritten { get; set; }

    /// <summary>Records set aside (see <see cref="RecordQuarantine"/>) that are still unresolved after the last run.</summary>
    public int QuarantinedRecords { get; set; }

    /// <summary>Distinct records the last run set aside.</summary>
    public int LastRunQuarantined { get; set; }

    /// <summary>The shortest window the last runs stopped at because its pages held fewer incidents than Wallarm counted; null when none.</summary>
    public DateTimeOffset? ShortWindowFrom { get; set; }

    public DateTimeOffset? ShortWindowTo { get; set; }

    /// <summary>Consecutive runs that stopped at that window (see <c>IncidentPuller</c>).</summary>
    public int ShortWindowRuns { get; set; }

    /// <summary>
    /// The span of consecutive windows last taken as read short by records that broke every answer holding them (see
    /// <c>IncidentPuller</c>), and how many unreadable records stand for them; null when none.
    /// </summary>
    public DateTimeOffset? BrokenSpanFrom { get; set; }

    public DateTimeOffset? BrokenSpanTo { get; set; }

    public int BrokenSpanRecords { get; set; }

    /// <summary>When a run last read again the windows filed with unreadable records (see <see cref="IngestionOptions.UnreadRecheckInterval"/>).</summary>
    public DateTimeOffset? UnreadRecheckedAt { get; set; }

    /// <summary>What Wallarm's <c>time</c> filter was seen to match (see <see cref="TimeFilterMatch"/>); null until a run could tell.</summary>
    public string? TimeFilter { get; set; }

    public DateTimeOffset? TimeFilterSeenAt { get; set; }
}

/// <summary>
/// The last run of the pull job, whatever happened in it: also a run that failed before it knew its tenant (token
/// refused on <c>/v1/user</c>) or before it could read a checkpoint. PartitionKey <c>run</c>, RowKey <c>last</c>.
/// </summary>
public sealed class PullRunEntity : ITableEntity
{
    public const string Partition = "run";
    public const string Row = "last";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = Row;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string RunId { get; set; } = "";

    public long? TenantId { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary><c>Succeeded</c>, <c>Partial</c> or <c>Failed</c>; null while running.</summary>
    public string? Outcome { get; set; }

    public string? Error { get; set; }

    public string? ErrorSetting { get; set; }
}

/// <summary>Conflict on the checkpoint: another run moved it meanwhile.</summary>
public sealed class CheckpointConflictException(long tenantId, Exception inner)
    : Exception($"Another pull moved the checkpoint of tenant {tenantId} meanwhile; this run stops and the next one resumes.", inner);

public sealed class CheckpointStore(StorageClients storage)
{
    public async Task<CheckpointEntity?> GetAsync(long tenantId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<CheckpointEntity>(CheckpointEntity.Partition, tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    public async IAsyncEnumerable<CheckpointEntity> GetAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<CheckpointEntity>(TableKeys.PartitionFilter(CheckpointEntity.Partition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    public async Task<PullRunEntity?> GetLastRunAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<PullRunEntity>(PullRunEntity.Partition, PullRunEntity.Row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Replaces the record of the last run (last writer wins: it is a log line, not a lock).</summary>
    public async Task SaveLastRunAsync(PullRunEntity run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
        run.PartitionKey = PullRunEntity.Partition;
        run.RowKey = PullRunEntity.Row;
        await table.UpsertEntityAsync(run, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="checkpoint"/> if nobody else changed it since it was read; updates its ETag.</summary>
    public async Task SaveAsync(long tenantId, CheckpointEntity checkpoint, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.CheckpointsTable, cancellationToken).ConfigureAwait(false);
        checkpoint.PartitionKey = CheckpointEntity.Partition;
        checkpoint.RowKey = tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var response = checkpoint.ETag == default
                ? await table.AddEntityAsync(checkpoint, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(checkpoint, checkpoint.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            checkpoint.ETag = response.Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new CheckpointConflictException(tenantId, ex);
        }
    }
}
