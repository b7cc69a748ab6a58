using System.Globalization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using NodaTime;

namespace IncidentFunctions.Storage;

/// <summary>
/// A cheap "has this report day changed?" check for copies of a day's data (the CSV export's per-day snapshots, the
/// cached PDF reports): one small row per tenant and report day (PartitionKey the tenant, RowKey <c>yyyyMMdd</c>, so a
/// period's marks are one range query) holding a random value that every writer of the day's incident or source rows
/// replaces after its write has completed (<see cref="BumpAsync"/>, an unconditional upsert, all days of a call in one
/// transaction).
/// </summary>
/// <remarks>
/// Why it is enough: a reader reads the mark <em>before</em> it reads the day's rows and tags its copy with that value.
/// A write the read did not see completed after the read began, so its bump comes after the mark was read and replaces
/// it: the copy's tag no longer matches and the copy is never served again. A write the read did see may also bump
/// after the mark was read; that only costs one unneeded re-read. The value is random rather than the row's ETag so
/// two bumps within one clock tick can never leave it equal. A missing row means "no valid copy": the reader creates
/// it (<see cref="GetAsync"/>) before reading, which orders it like a bump.
/// The limit: a writer that fails between its write and its bump leaves a copy that may miss that write until the
/// next write of the same day bumps the mark (ingestion repeats a failed window's upserts, and with them the bump).
/// </remarks>
public sealed class DayChangeMarks(StorageClients storage)
{
    private const string ValueProperty = "Mark";

    /// <summary>Replaces the mark of each of <paramref name="days"/>; call after the day's rows were written.</summary>
    public async Task BumpAsync(long tenantId, IEnumerable<LocalDate> days, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(days);
        var keys = days.Select(ReportCalendar.DayKey).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0) return;
        var table = await storage.GetTableAsync(storage.Options.ChangeMarksTable, cancellationToken).ConfigureAwait(false);
        var partition = Partition(tenantId);
        foreach (var chunk in keys.Chunk(TableBatchWriter.MaxActionsPerTransaction))
        {
            await table.SubmitTransactionAsync(
                chunk.Select(key => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(partition, key))),
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The current marks of the days from <paramref name="first"/> to <paramref name="last"/>; the days in
    /// <paramref name="create"/> that have none get one first, so every one of them is in the answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<LocalDate, string>> GetAsync(long tenantId, LocalDate first, LocalDate last, IReadOnlyCollection<LocalDate> create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        var table = await storage.GetTableAsync(storage.Options.ChangeMarksTable, cancellationToken).ConfigureAwait(false);
        var partition = Partition(tenantId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {ReportCalendar.DayKey(first)} and RowKey le {ReportCalendar.DayKey(last)}");
        var marks = new Dictionary<LocalDate, string>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", ValueProperty], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ReportCalendar.TryParseDayKey(row.RowKey, out var day) && row.GetString(ValueProperty) is { Length: > 0 } mark) marks[day] = mark;
        }

        // A period's first read can lack a mark for each of its days (and the previous period's): added in one
        // transaction per 100 rather than one request each, and one by one only when a writer got there first.
        foreach (var chunk in create.Where(d => !marks.ContainsKey(d)).Distinct().Chunk(TableBatchWriter.MaxActionsPerTransaction))
        {
            var rows = chunk.Select(day => (Day: day, Row: Row(partition, ReportCalendar.DayKey(day)))).ToList();
            if (rows.Count > 1)
            {
                try
                {
                    await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r.Row)), cancellationToken).ConfigureAwait(false);
                    foreach (var (day, row) in rows) marks[day] = row.GetString(ValueProperty);
                    continue;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // One of them exists now; the transaction added none. Each on its own below.
                }
            }

            foreach (var (day, row) in rows) marks[day] = await AddOrReadAsync(table, row, cancellationToken).ConfigureAwait(false);
        }

        return marks;
    }

    private static async Task<string> AddOrReadAsync(TableClient table, TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
            return row.GetString(ValueProperty);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A writer bumped it meanwhile (or another reader created it): take what is stored now.
            var stored = await table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return stored.Value.GetString(ValueProperty) ?? "";
        }
    }

    private static string Partition(long tenantId) => tenantId.ToString(CultureInfo.InvariantCulture);

    private static TableEntity Row(string partition, string dayKey) => new(partition, dayKey) { [ValueProperty] = Guid.NewGuid().ToString("N") };
}
