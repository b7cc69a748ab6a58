using System.Collections.Concurrent;
using System.Reflection;
using Azure.Data.Tables;

namespace IncidentFunctions.Storage;

/// <summary>Writes entities as entity-group transactions: one partition, at most 100 actions and a bounded body each.</summary>
public static class TableBatchWriter
{
    public const int MaxActionsPerTransaction = 100;

    /// <summary>
    /// What the rows of one transaction may add up to by <see cref="MaxPayloadBytes"/>. The service (and Azurite) refuse
    /// a transaction whose body exceeds 4 MiB, so a run of rows carrying long attacker text (a path JSON escapes six
    /// bytes a character) must go out in smaller transactions, or the same write fails on every retry.
    /// </summary>
    public const int MaxTransactionBytes = 3_584 * 1024;

    /// <summary>Per row: property names, type annotations, numbers and the part's multipart headers.</summary>
    private const int RowOverheadBytes = 4 * 1024;

    /// <summary>
    /// An upper bound on what <paramref name="entity"/> adds to a transaction's body: its strings JSON-escaped as UTF-8
    /// (at most six bytes a character, <c>\uXXXX</c>), its keys percent-encoded in the part's URL (at most nine), and
    /// <see cref="RowOverheadBytes"/>.
    /// </summary>
    public static int MaxPayloadBytes<T>(T entity)
        where T : ITableEntity
    {
        ArgumentNullException.ThrowIfNull(entity);
        long chars = 0;
        if (entity is IDictionary<string, object> properties)
        {
            foreach (var (name, value) in properties) chars += name.Length + (value is string text ? text.Length : 0);
        }
        else if (entity.GetType() == typeof(T))
        {
            foreach (var getter in StringProperties<T>.Getters) chars += getter(entity)?.Length ?? 0;
        }
        else
        {
            // Typed as an interface or base class: read the runtime type's strings, more slowly.
            foreach (var property in RuntimeStringProperties.GetOrAdd(entity.GetType(), StringPropertiesOf)) chars += (property.GetValue(entity) as string)?.Length ?? 0;
        }

        return (int)Math.Min(int.MaxValue, RowOverheadBytes + (6 * chars) + (9L * (entity.PartitionKey.Length + entity.RowKey.Length)));
    }

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
            var batch = new List<TableTransactionAction>();
            var bytes = 0L;
            foreach (var entity in rows.Values)
            {
                var size = MaxPayloadBytes(entity);
                if (batch.Count > 0 && (batch.Count == MaxActionsPerTransaction || bytes + size > MaxTransactionBytes))
                {
                    batches.Add(batch);
                    batch = [];
                    bytes = 0;
                }

                batch.Add(new TableTransactionAction(actionType, entity));
                bytes += size;
            }

            if (batch.Count > 0) batches.Add(batch);
        }

        return batches;
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> RuntimeStringProperties = new();

    private static PropertyInfo[] StringPropertiesOf(Type type) => [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType == typeof(string) && p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)];

    /// <summary>Getters of <typeparamref name="T"/>'s public string properties, made once per type.</summary>
    private static class StringProperties<T>
    {
        public static readonly Func<T, string?>[] Getters = [.. StringPropertiesOf(typeof(T)).Select(p => p.GetMethod!.CreateDelegate<Func<T, string?>>())];
    }
}
