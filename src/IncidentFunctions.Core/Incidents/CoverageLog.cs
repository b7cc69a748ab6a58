using System.Globalization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Storage;
using NodaTime;

namespace IncidentFunctions.Incidents;

/// <summary>One pulled window, filed under each report day it overlaps.</summary>
public sealed class CoverageEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    public DateTimeOffset PulledAt { get; set; }

    public string RunId { get; set; } = "";

    public int Incidents { get; set; }

    /// <summary>Distinct records of the window that could not be stored and went to the quarantine.</summary>
    public int Quarantined { get; set; }
}

/// <summary>What a report day is known to contain: the pulled parts of the day, the gaps, and the records that could not be read.</summary>
/// <param name="UnreadableRecords">Wallarm records filed under the day that could not be stored and are still unresolved (see <see cref="RecordQuarantine"/>).</param>
public sealed record DayCoverage(LocalDate Day, TimeWindow DayWindow, IReadOnlyList<TimeWindow> Covered, IReadOnlyList<TimeWindow> Missing, int UnreadableRecords = 0)
{
    public bool IsComplete => Missing.Count == 0;

    public TimeSpan CoveredDuration => Covered.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Duration);
}

/// <summary>
/// Records every window a pull completed, so a report can say which hours of its day are known. Rows are keyed by
/// window, so recording the same window twice is harmless.
/// </summary>
public sealed class CoverageLog(StorageClients storage, ReportCalendar calendar, RecordQuarantine quarantine)
{
    public async Task RecordAsync(long tenantId, TimeWindow window, string runId, int incidents, int quarantined, DateTimeOffset pulledAt, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.CoverageTable, cancellationToken).ConfigureAwait(false);
        var rowKey = string.Create(CultureInfo.InvariantCulture, $"{window.From:yyyyMMddTHHmmss}-{window.To:yyyyMMddTHHmmss}");
        var rows = calendar.DaysOverlapping(window).Select(day => new CoverageEntity
        {
            PartitionKey = DayPartition.Key(tenantId, day),
            RowKey = rowKey,
            From = window.From,
            To = window.To,
            PulledAt = pulledAt,
            RunId = runId,
            Incidents = incidents,
            Quarantined = quarantined,
        });
        await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, 2, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The covered and missing parts of <paramref name="day"/>; parts after <paramref name="now"/> are neither.</summary>
    public async Task<DayCoverage> GetDayAsync(long tenantId, LocalDate day, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var unreadable = quarantine.CountOpenAsync(tenantId, day, cancellationToken);
        var table = await storage.GetTableAsync(storage.Options.CoverageTable, cancellationToken).ConfigureAwait(false);
        var dayWindow = calendar.WindowOf(day);
        var partitionKey = DayPartition.Key(tenantId, day);
        var windows = new List<TimeWindow>();
        await foreach (var row in table.QueryAsync<CoverageEntity>(TableKeys.PartitionFilter(partitionKey), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            windows.Add(new TimeWindow(row.From, row.To));
        }

        var end = now < dayWindow.To ? (now > dayWindow.From ? now : dayWindow.From) : dayWindow.To;
        return Compute(day, dayWindow, new TimeWindow(dayWindow.From, end), windows) with { UnreadableRecords = await unreadable.ConfigureAwait(false) };
    }

    internal static DayCoverage Compute(LocalDate day, TimeWindow dayWindow, TimeWindow relevant, IEnumerable<TimeWindow> pulled)
    {
        var covered = new List<TimeWindow>();
        foreach (var w in pulled.Where(w => w.Overlaps(relevant)).OrderBy(w => w.From))
        {
            var clipped = new TimeWindow(Max(w.From, relevant.From), Min(w.To, relevant.To));
            if (covered.Count > 0 && clipped.From <= covered[^1].To)
            {
                covered[^1] = new TimeWindow(covered[^1].From, Max(covered[^1].To, clipped.To));
            }
            else
            {
                covered.Add(clipped);
            }
        }

        var missing = new List<TimeWindow>();
        var cursor = relevant.From;
        foreach (var c in covered)
        {
            if (c.From > cursor) missing.Add(new TimeWindow(cursor, c.From));
            cursor = Max(cursor, c.To);
        }

        if (cursor < relevant.To) missing.Add(new TimeWindow(cursor, relevant.To));
        return new DayCoverage(day, dayWindow, covered, missing);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
