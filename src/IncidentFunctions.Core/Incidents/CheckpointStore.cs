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

    /// <summary><c>Succeeded</c>, <c>Partial</c> (stopped by the budget), or <c>Failed</c>.</summary>
    public string? LastOutcome { get; set; }

    public string? LastError { get; set; }

    public long IncidentsWritten { get; set; }
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
        await foreach (var row in table.QueryAsync<CheckpointEntity>(e => e.PartitionKey == CheckpointEntity.Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
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
