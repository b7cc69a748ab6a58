using Azure.Data.Tables;
using IncidentFunctions.Storage;
using NodaTime;

namespace IncidentFunctions.Incidents;

/// <summary>
/// Writes a stream of incidents (a pull window's pages) as full 100-row transactions per day partition (fewer rows when
/// long attacker text would take the body past <see cref="TableBatchWriter.MaxTransactionBytes"/>): each partition's
/// remainder waits for more rows until <see cref="FlushAsync"/>, which writes the remainders and then bumps
/// the change mark of every day written, once. Page-sized writes left a partial transaction per partition and page and
/// a bump per page, about a fifth more requests than the rows need.
/// </summary>
/// <remarks>
/// A row added again before it was sent replaces the pending copy; one already sent is written again only after
/// that transaction completed, so the later version always lands last. At most <c>parallelism</c> transactions are in
/// flight; <see cref="AddAsync"/> waits for a free one, so a fast reader cannot pile up rows. A failed transaction
/// fails the next call. Until the flush nothing is bumped: a writer that fails leaves rows its marks do not cover yet,
/// which <see cref="DayChangeMarks"/> allows for (the pull repeats the window, and with it the bump).
/// </remarks>
public sealed class IncidentBatchWriter : IAsyncDisposable
{
    private readonly TableClient _table;
    private readonly IncidentStore _store;
    private readonly DayChangeMarks _marks;
    private readonly DateTimeOffset _pulledAt;
    private readonly SemaphoreSlim _slots;
    private readonly int _parallelism;
    private readonly Dictionary<string, PendingPartition> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Partition, string Row), Task> _lastWrite = [];
    private readonly List<Task> _writes = [];
    private readonly HashSet<(long Tenant, LocalDate Day)> _days = [];
    private int _rows;
    private Exception? _failure;

    internal IncidentBatchWriter(TableClient table, IncidentStore store, DayChangeMarks marks, DateTimeOffset pulledAt, int parallelism)
    {
        _table = table;
        _store = store;
        _marks = marks;
        _pulledAt = pulledAt;
        _parallelism = Math.Max(1, parallelism);
        _slots = new SemaphoreSlim(_parallelism);
    }

    /// <summary>Rows sent since the last flush (a row replaced before it was sent counts once).</summary>
    public int RowsSent => _rows;

    /// <summary>Queues the incident's row for each of its days; sends every partition that holds a full transaction.</summary>
    public async ValueTask AddAsync(Incident incident, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ThrowIfWriteFailed();
        foreach (var day in _store.DaysOf(incident))
        {
            var row = _store.Row(incident, day, _pulledAt);
            _days.Add((incident.TenantId, day));
            var size = TableBatchWriter.MaxPayloadBytes(row);
            if (_pending.TryGetValue(row.PartitionKey, out var pending) && pending.Rows.Count > 0 && pending.Bytes + size > TableBatchWriter.MaxTransactionBytes)
            {
                // Long attacker text: the transaction would pass the service's body limit with this row.
                await SendAsync(row.PartitionKey, cancellationToken).ConfigureAwait(false);
            }

            if (!_pending.TryGetValue(row.PartitionKey, out pending)) _pending[row.PartitionKey] = pending = new PendingPartition();
            pending.Rows[row.RowKey] = row;
            pending.Bytes += size;
            if (pending.Rows.Count == TableBatchWriter.MaxActionsPerTransaction) await SendAsync(row.PartitionKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends every partition's remainder, waits for all writes, then bumps the marks of the days written.</summary>
    /// <returns>The rows written since the last flush.</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var partition in _pending.Where(p => p.Value.Rows.Count > 0).Select(p => p.Key).ToList())
        {
            await SendAsync(partition, cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(_writes).ConfigureAwait(false);
        _writes.Clear();
        _lastWrite.Clear();
        foreach (var tenant in _days.GroupBy(d => d.Tenant))
        {
            await _marks.BumpAsync(tenant.Key, tenant.Select(d => d.Day), cancellationToken).ConfigureAwait(false);
        }

        _days.Clear();
        var written = _rows;
        _rows = 0;
        return written;
    }

    /// <summary>Waits for the writes in flight without throwing: after a failure they must not run on unobserved.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var write in _writes)
        {
            try { await write.ConfigureAwait(false); } catch { /* the failure that matters was already thrown to the caller */ }
        }

        _writes.Clear();
        _slots.Dispose();
    }

    private async Task SendAsync(string partition, CancellationToken cancellationToken)
    {
        var rows = _pending[partition].Rows;
        _pending.Remove(partition);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var earlier = new List<Task>();
        foreach (var row in rows.Values)
        {
            if (_lastWrite.TryGetValue((partition, row.RowKey), out var previous) && !previous.IsCompleted) earlier.Add(previous);
        }

        _writes.RemoveAll(w => w.IsCompletedSuccessfully);
        if (_lastWrite.Count > 4 * TableBatchWriter.MaxActionsPerTransaction * _parallelism)
        {
            // Only writes in flight can be overtaken: forget the others now and then, so a long window keeps few keys.
            foreach (var done in _lastWrite.Where(w => w.Value.IsCompleted).Select(w => w.Key).ToList()) _lastWrite.Remove(done);
        }

        // In key order: Azurite inserts each row into its sorted key indexes, and rows that arrive sorted land next to
        // each other (a transaction is atomic, so the order means nothing to the table).
        var write = WriteAsync([.. rows.Values.OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertMerge, r))], earlier, cancellationToken);
        foreach (var row in rows.Values) _lastWrite[(partition, row.RowKey)] = write;
        _writes.Add(write);
        _rows += rows.Count;
    }

    private async Task WriteAsync(List<TableTransactionAction> actions, List<Task> earlier, CancellationToken cancellationToken)
    {
        try
        {
            if (earlier.Count > 0) await Task.WhenAll(earlier).ConfigureAwait(false);
            await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    private void ThrowIfWriteFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>A partition's rows not sent yet, and what they add up to by <see cref="TableBatchWriter.MaxPayloadBytes"/> (a replaced row's size stays counted: a bound, not a sum).</summary>
    private sealed class PendingPartition
    {
        public Dictionary<string, IncidentEntity> Rows { get; } = new(TableBatchWriter.MaxActionsPerTransaction, StringComparer.Ordinal);

        public long Bytes { get; set; }
    }
}
