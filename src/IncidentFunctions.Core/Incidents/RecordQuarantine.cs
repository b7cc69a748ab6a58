using System.Globalization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using NodaTime;

namespace IncidentFunctions.Incidents;

/// <summary>
/// A Wallarm record that could not be stored (see <see cref="WallarmRejectedRecord"/>). Each is kept twice: under
/// every report day its window overlaps (PartitionKey <c>{tenant}-{yyyyMMdd}</c>, so a day's report counts them in one
/// partition query), and once in the tenant's index (PartitionKey <c>{tenant}</c>) that lists those days, so a record
/// that later arrives well-formed can be marked resolved everywhere. RowKey: the escaped record id, or
/// <c>sha256:{fingerprint}</c> for a record without one.
/// </summary>
public sealed class QuarantineEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public long TenantId { get; set; }

    /// <summary>The record's id as far as it could be read; null when it has none.</summary>
    public string? RecordId { get; set; }

    public string Reason { get; set; } = "";

    /// <summary>The record as received (invalid text replaced), cut to <see cref="WallarmRecordReader.MaxRawChars"/>.</summary>
    public string RawJson { get; set; } = "";

    public int RawBytes { get; set; }

    /// <summary>SHA-256 (hex) of the record's bytes.</summary>
    public string Fingerprint { get; set; } = "";

    public DateTimeOffset WindowFrom { get; set; }

    public DateTimeOffset WindowTo { get; set; }

    public string RunId { get; set; } = "";

    /// <summary>When a run last set it aside.</summary>
    public DateTimeOffset QuarantinedAt { get; set; }

    /// <summary>Index rows: the day partitions (<c>yyyyMMdd</c>, comma-separated) the record is filed under.</summary>
    public string Days { get; set; } = "";

    /// <summary>Set when the same record later arrived well-formed and was stored.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }

    public string? ResolvedByRunId { get; set; }
}

/// <summary>Records set aside by ingestion, per tenant; see <see cref="QuarantineEntity"/>.</summary>
/// <remarks>
/// Filing and resolving bump the days' change marks: the day's report says how many records could not be read, and a
/// resolution with no incident row written (Wallarm no longer counts the record) would otherwise leave a cached copy
/// saying so for good.
/// </remarks>
public sealed class RecordQuarantine(StorageClients storage, ReportCalendar calendar, DayChangeMarks marks)
{
    private const int MaxReasonChars = 1_000;
    private const int MaxRecordIdChars = 1_000;

    /// <summary>The tenant's unresolved records, to resolve and count during one run.</summary>
    public async Task<QuarantineLedger> OpenAsync(long tenantId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.QuarantineTable, cancellationToken).ConfigureAwait(false);
        var partition = IndexPartition(tenantId);
        var open = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var filter = TableKeys.PartitionFilter(partition);
        await foreach (var row in table.QueryAsync<QuarantineEntity>(filter, select: ["RowKey", "Days", "ResolvedAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.ResolvedAt is null) open[TableKeys.Unescape(row.RowKey)] = SplitDays(row.Days);
        }

        return new QuarantineLedger(this, tenantId, open);
    }

    /// <summary>Unresolved records filed under <paramref name="day"/>: one partition query.</summary>
    public async Task<int> CountOpenAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.QuarantineTable, cancellationToken).ConfigureAwait(false);
        var filter = TableKeys.PartitionFilter(DayPartition.Key(tenantId, day));
        var count = 0;
        await foreach (var row in table.QueryAsync<QuarantineEntity>(filter, select: ["RowKey", "ResolvedAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.ResolvedAt is null) count++;
        }

        return count;
    }

    /// <summary>Every row of a tenant (index and days), for tests and operators.</summary>
    public async Task<IReadOnlyList<QuarantineEntity>> GetIndexAsync(long tenantId, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.QuarantineTable, cancellationToken).ConfigureAwait(false);
        var filter = TableKeys.PartitionFilter(IndexPartition(tenantId));
        var rows = new List<QuarantineEntity>();
        await foreach (var row in table.QueryAsync<QuarantineEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false)) rows.Add(row);
        return rows;
    }

    internal async Task WriteAsync(long tenantId, string runId, TimeWindow window, IReadOnlyList<(WallarmRejectedRecord Record, HashSet<string> Days)> records, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.QuarantineTable, cancellationToken).ConfigureAwait(false);
        var rows = new List<QuarantineEntity>();
        foreach (var (record, days) in records)
        {
            var rowKey = TableKeys.Escape(record.Key);
            var allDays = string.Join(',', days.Order(StringComparer.Ordinal));
            QuarantineEntity Row(string partition) => new()
            {
                PartitionKey = partition,
                RowKey = rowKey,
                TenantId = tenantId,
                RecordId = StoredText.Bound(record.Id, MaxRecordIdChars),
                Reason = StoredText.Bound(record.Reason, MaxReasonChars)!,
                RawJson = record.RawJson,
                RawBytes = record.RawBytes,
                Fingerprint = record.Fingerprint,
                WindowFrom = window.From,
                WindowTo = window.To,
                RunId = runId,
                QuarantinedAt = now,
                Days = allDays,
            };

            rows.Add(Row(IndexPartition(tenantId)));
            foreach (var day in days) rows.Add(Row(DayPartition.Key(tenantId, day)));
        }

        await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, 2, cancellationToken).ConfigureAwait(false);
        await BumpDaysAsync(tenantId, records.SelectMany(r => r.Days), cancellationToken).ConfigureAwait(false);
    }

    internal async Task ResolveAsync(long tenantId, string runId, IReadOnlyList<(string Key, HashSet<string> Days)> records, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.QuarantineTable, cancellationToken).ConfigureAwait(false);
        // Only the resolution columns are sent, so the merge keeps the record, reason and raw text for whoever looks later.
        var rows = new List<TableEntity>();
        foreach (var (key, days) in records)
        {
            var rowKey = TableKeys.Escape(key);
            foreach (var partition in days.Select(d => DayPartition.Key(tenantId, d)).Prepend(IndexPartition(tenantId)))
            {
                rows.Add(new TableEntity(partition, rowKey)
                {
                    [nameof(QuarantineEntity.ResolvedAt)] = now,
                    [nameof(QuarantineEntity.ResolvedByRunId)] = runId,
                });
            }
        }

        await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Merge, 2, cancellationToken).ConfigureAwait(false);
        await BumpDaysAsync(tenantId, records.SelectMany(r => r.Days), cancellationToken).ConfigureAwait(false);
    }

    private Task BumpDaysAsync(long tenantId, IEnumerable<string> dayKeys, CancellationToken cancellationToken)
    {
        var days = new HashSet<LocalDate>();
        foreach (var key in dayKeys)
        {
            if (ReportCalendar.TryParseDayKey(key, out var day)) days.Add(day);
        }

        return marks.BumpAsync(tenantId, days, cancellationToken);
    }

    /// <summary>The report days (<c>yyyyMMdd</c>) a window's set-aside records are filed under.</summary>
    internal HashSet<string> DaysOf(TimeWindow window)
        => calendar.DaysOverlapping(window).Select(ReportCalendar.DayKey).ToHashSet(StringComparer.Ordinal);

    private static string IndexPartition(long tenantId) => tenantId.ToString(CultureInfo.InvariantCulture);

    private static HashSet<string> SplitDays(string days)
        => days.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// One run's view of a tenant's quarantine: records set aside (written per page), records that arrived well-formed
/// (resolved), and how many remain open.
/// </summary>
public sealed class QuarantineLedger
{
    private readonly RecordQuarantine _store;
    private readonly long _tenantId;
    private readonly Dictionary<string, HashSet<string>> _open;

    internal QuarantineLedger(RecordQuarantine store, long tenantId, Dictionary<string, HashSet<string>> open)
    {
        _store = store;
        _tenantId = tenantId;
        _open = open;
    }

    /// <summary>Unresolved records after what this run did.</summary>
    public int OpenCount => _open.Count;

    /// <summary>Distinct records this run set aside.</summary>
    public int QuarantinedThisRun => _quarantinedThisRun.Count;

    private readonly HashSet<string> _quarantinedThisRun = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="id"/> is an open record; cheap, called for every stored incident.</summary>
    public bool IsOpen(string id) => _open.Count > 0 && _open.ContainsKey(id);

    public async Task QuarantineAsync(string runId, TimeWindow window, IReadOnlyList<WallarmRejectedRecord> records, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (records.Count == 0) return;
        var windowDays = _store.DaysOf(window);
        var writes = new List<(WallarmRejectedRecord, HashSet<string>)>(records.Count);
        foreach (var record in records.DistinctBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!_open.TryGetValue(record.Key, out var days)) _open[record.Key] = days = new HashSet<string>(StringComparer.Ordinal);
            days.UnionWith(windowDays);
            _quarantinedThisRun.Add(record.Key);
            writes.Add((record, days));
        }

        await _store.WriteAsync(_tenantId, runId, window, writes, now, cancellationToken).ConfigureAwait(false);
    }

    private const string UnreadPrefix = "unread:";

    /// <summary>The key of the <paramref name="index"/>-th incident Wallarm counted in <paramref name="window"/> but never listed.</summary>
    public static string UnreadKey(TimeWindow window, int index)
        => string.Create(CultureInfo.InvariantCulture, $"{UnreadPrefix}{window.From.ToUnixTimeSeconds()}-{window.To.ToUnixTimeSeconds()}:{index}");

    /// <summary>Resolves the open unread entries (see <see cref="UnreadKey"/>) of windows inside <paramref name="window"/>.</summary>
    public Task ResolveUnreadWithinAsync(string runId, TimeWindow window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (from, to) = (window.From.ToUnixTimeSeconds(), window.To.ToUnixTimeSeconds());
        var within = _open.Keys.Where(k => UnreadWindowOf(k) is { } unread && unread.From >= from && unread.To <= to).ToList();
        return within.Count == 0 ? Task.CompletedTask : ResolveAsync(runId, within, now, cancellationToken);
    }

    /// <summary>
    /// The windows of open unread entries filed by earlier runs, newest first, at most <paramref name="max"/>: what a
    /// later run reads again, in case what Wallarm counted but did not list then has come back.
    /// </summary>
    public IReadOnlyList<TimeWindow> UnreadWindows(int max)
        => _open.Keys
            .Where(k => !_quarantinedThisRun.Contains(k))
            .Select(UnreadWindowOf)
            .OfType<(long From, long To)>()
            .Distinct()
            .OrderByDescending(w => w.To)
            .Take(max)
            .Select(w => new TimeWindow(DateTimeOffset.FromUnixTimeSeconds(w.From), DateTimeOffset.FromUnixTimeSeconds(w.To)))
            .ToList();

    /// <summary>Open unread entries (see <see cref="UnreadKey"/>) of windows overlapping <paramref name="window"/>.</summary>
    public int UnreadOverlapping(TimeWindow window)
    {
        var (from, to) = (window.From.ToUnixTimeSeconds(), window.To.ToUnixTimeSeconds());
        return _open.Keys.Count(k => UnreadWindowOf(k) is { } unread && unread.From < to && unread.To > from);
    }

    /// <summary>The window (unix seconds) an <see cref="UnreadKey"/> names; null for any other key.</summary>
    private static (long From, long To)? UnreadWindowOf(string key)
    {
        if (!key.StartsWith(UnreadPrefix, StringComparison.Ordinal)) return null;
        var parts = key[UnreadPrefix.Length..].Split(':')[0].Split('-');
        return parts.Length == 2
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            ? (from, to)
            : null;
    }

    /// <summary>Marks the given (stored, well-formed) records resolved where they are open.</summary>
    public async Task ResolveAsync(string runId, IEnumerable<string> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var resolved = new List<(string, HashSet<string>)>();
        foreach (var id in ids)
        {
            if (_open.Remove(id, out var days)) resolved.Add((id, days));
        }

        if (resolved.Count > 0) await _store.ResolveAsync(_tenantId, runId, resolved, now, cancellationToken).ConfigureAwait(false);
    }
}
