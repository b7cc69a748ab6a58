using Azure.Data.Tables;

namespace IncidentFunctions.Storage;

/// <summary>Writes entities as entity-group transactions: one partition and at most 100 actions each.</summary>
public static class TableBatchWriter
{
    public const int MaxActionsPerTransaction = 100;

    /// <summary>Upserts <paramref name="entities"/> grouped by partition, <paramref name="parallelism"/> transactions at a time.</summary>
    /// <returns>The number of entities written.</returns>
    public static async Task<int> UpsertAsync<T>(TableClient table, IEnumerable<T> entities, TableUpdateMode mode, int parallelism, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        var batches = Plan(entities, mode);
        if (batches.Count == 0) return 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (batch, ct) => await table.SubmitTransactionAsync(batch, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return batches.Sum(b => b.Count);
    }

    /// <summary>
    /// Groups actions into valid transactions. A later entity with the same keys replaces an earlier one, since one
    /// transaction may not touch a row twice. Azurite accepts mixed partitions in one transaction and the service
    /// does not, so the single-partition rule is enforced here rather than trusted to the emulator.
    /// </summary>
    public static List<List<TableTransactionAction>> Plan<T>(IEnumerable<T> entities, TableUpdateMode mode)
        where T : ITableEntity
    {
        var byPartition = new Dictionary<string, Dictionary<string, T>>(StringComparer.Ordinal);
        foreach (var entity in entities)
        {
            if (!byPartition.TryGetValue(entity.PartitionKey, out var rows))
            {
                byPartition[entity.PartitionKey] = rows = new Dictionary<string, T>(StringComparer.Ordinal);
            }

            rows[entity.RowKey] = entity;
        }

        var actionType = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace;
        var batches = new List<List<TableTransactionAction>>();
        foreach (var rows in byPartition.Values)
        {
            foreach (var chunk in rows.Values.Chunk(MaxActionsPerTransaction))
            {
                batches.Add(chunk.Select(e => new TableTransactionAction(actionType, e)).ToList());
            }
        }

        return batches;
    }
}
