using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Retention;

/// <summary>What one run of <see cref="RetentionJob"/> deleted, and from which days on it kept everything.</summary>
/// <param name="DataCutoff">The first report day whose table rows were kept.</param>
/// <param name="ReportCutoff">The first day on which a kept report or CSV snapshot may start.</param>
/// <param name="CacheRowsDeleted">Enrichment cache rows past <see cref="EnrichmentOptions.CacheTtl"/>, which no lookup uses again.</param>
/// <param name="Skipped">Partitions and blobs in the job's range whose names hold no report day or period: kept.</param>
/// <param name="Failed">Stores the run could not clean (logged); the next run tries them again.</param>
/// <param name="Finished">False when the run stopped at <see cref="RetentionOptions.RunBudget"/>; the next run goes on.</param>
public sealed record RetentionRunResult(LocalDate DataCutoff, LocalDate ReportCutoff, int RowsDeleted, int BlobsDeleted, int CacheRowsDeleted, int Skipped, int Failed, bool Finished = true);

/// <summary>
/// Deletes what the app no longer serves. Reports, CSV exports and the archive stop at
/// <see cref="ReportOptions.RetentionDays"/> before today (report zone), so the stored PDFs and CSV snapshots of
/// periods starting before that go. The table rows behind them (incidents, enriched sources, pull coverage, change
/// marks) are kept <see cref="ComparisonDays"/> longer: a month's report still compares with the month before it.
/// The enrichment cache's rows older than <see cref="EnrichmentOptions.CacheTtl"/> go too: a lookup never uses them,
/// and every address ever seen would otherwise stay.
/// </summary>
/// <remarks>
/// Only the tenant's own keys are read (a range per table, its blob prefixes), and a key is deleted only when it names
/// a day or period before the cutoff; anything else in the range is kept and named in the log. Quarantined records
/// and digest ledgers are kept: they are small and an operator's evidence. One store's failure is logged and the run
/// goes on with the next. Stored reports go first (what the archive promises), then the rows; a run stops starting
/// deletions at <see cref="RetentionOptions.RunBudget"/> and the next one reads the ranges again, so it goes on.
/// </remarks>
public sealed class RetentionJob(
    StorageClients storage,
    WallarmTenant tenant,
    WallarmClient wallarm,
    ReportPeriods periods,
    IOptions<ReportOptions> reports,
    IOptions<RetentionOptions> options,
    IOptions<EnrichmentOptions> enrichment,
    TimeProvider time,
    ILogger<RetentionJob> logger)
{
    public const string FunctionName = "PurgeExpiredData";

    /// <summary>
    /// Delete transactions sent at once, as ingestion writes (<c>Ingestion:WriteParallelism</c>): Table storage
    /// serves them in parallel, and a single-threaded Azurite is kept busy.
    /// </summary>
    private const int TransactionsInFlight = 4;

    /// <summary>The longest period a report compares with (the month before a monthly report).</summary>
    public const int ComparisonDays = 31;

    /// <summary>The folders of <see cref="ReportCache.BlobNameFor(long, LocalDate)"/> and <see cref="CsvSnapshotStore.BlobNameFor"/>, and the kind of period each file names.</summary>
    private static readonly (string Prefix, PeriodKind Kind)[] ReportFolders =
    [
        (ReportPeriods.Segment(PeriodKind.Day), PeriodKind.Day),
        (ReportPeriods.Segment(PeriodKind.Week), PeriodKind.Week),
        (ReportPeriods.Segment(PeriodKind.Month), PeriodKind.Month),
        (CsvSnapshotStore.Folder, PeriodKind.Day),
    ];

    public async Task<RetentionRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var reportCutoff = periods.Today().PlusDays(-reports.Value.RetentionDays);
        var dataCutoff = reportCutoff.PlusDays(-ComparisonDays);
        if (!options.Value.Enabled)
        {
            RetentionLog.Off(logger);
            return new RetentionRunResult(dataCutoff, reportCutoff, 0, 0, 0, 0, 0);
        }

        var tally = new Tally(time, options.Value.RunBudget);
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var names = storage.Options;
        await CleanAsync(names.ReportsContainer, tally, () => DeleteReportBlobsAsync(tenantId, reportCutoff, tally, cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var table in new[] { names.IncidentsTable, names.SourcesTable, names.CoverageTable })
        {
            await CleanAsync(table, tally, () => DeleteDayPartitionsAsync(table, tenantId, dataCutoff, tally, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        await CleanAsync(names.ChangeMarksTable, tally, () => DeleteChangeMarksAsync(tenantId, dataCutoff, tally, cancellationToken), cancellationToken).ConfigureAwait(false);
        await CleanAsync(names.SourceCacheTable, tally, () => DeleteExpiredCacheRowsAsync(time.GetUtcNow() - enrichment.Value.CacheTtl, tally, cancellationToken), cancellationToken).ConfigureAwait(false);

        var result = new RetentionRunResult(dataCutoff, reportCutoff, tally.Rows, tally.Blobs, tally.CacheRows, tally.Skipped, tally.Failed, !tally.Stopped);
        if (tally.Stopped) RetentionLog.StoppedAtBudget(logger, options.Value.RunBudget);
        var (dataKey, reportKey) = (ReportCalendar.IsoDay(dataCutoff), ReportCalendar.IsoDay(reportCutoff));
        RetentionLog.Run(logger, dataKey, reportKey, result.RowsDeleted, result.BlobsDeleted, result.CacheRowsDeleted, result.Skipped, result.Failed);
        return result;
    }

    private async Task CleanAsync(string store, Tally tally, Func<Task> clean, CancellationToken cancellationToken)
    {
        if (tally.Stopped) return;
        try
        {
            await clean().ConfigureAwait(false);
        }
        catch (Exception ex) when ((StorageFailure.IsUnavailable(ex) || ex is IOException) && !cancellationToken.IsCancellationRequested)
        {
            tally.Failed++;
            RetentionLog.StoreFailed(logger, StorageFailure.StackFor(ex), store, FailureText.Describe(ex));
        }
    }

    /// <summary>Rows under <c>{tenant}-{yyyyMMdd}</c> partitions of days before <paramref name="cutoff"/>.</summary>
    private async Task DeleteDayPartitionsAsync(string tableName, long tenantId, LocalDate cutoff, Tally tally, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(tableName, cancellationToken).ConfigureAwait(false);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{tenantId}-");
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {DayPartition.Key(tenantId, cutoff)}");
        string? refused = null;
        await DeleteRowsAsync(table, filter, row =>
        {
            if (ReportCalendar.TryParseDayKey(row.PartitionKey.AsSpan(prefix.Length), out var day) && day < cutoff) return true;
            if (row.PartitionKey != refused)
            {
                refused = row.PartitionKey;
                tally.Skipped++;
                RetentionLog.NameNotUnderstood(logger, tableName, row.PartitionKey);
            }

            return false;
        }, tally, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tenant's change marks (PartitionKey the tenant, RowKey <c>yyyyMMdd</c>) of days before <paramref name="cutoff"/>.</summary>
    private async Task DeleteChangeMarksAsync(long tenantId, LocalDate cutoff, Tally tally, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.ChangeMarksTable, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tenantId.ToString(CultureInfo.InvariantCulture)} and RowKey lt {ReportCalendar.DayKey(cutoff)}");
        await DeleteRowsAsync(table, filter, row =>
        {
            if (ReportCalendar.TryParseDayKey(row.RowKey, out var day) && day < cutoff) return true;
            tally.Skipped++;
            RetentionLog.NameNotUnderstood(logger, storage.Options.ChangeMarksTable, row.RowKey);
            return false;
        }, tally, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the rows <paramref name="filter"/> finds that <paramref name="expired"/> confirms, a transaction per
    /// partition and hundred rows, <see cref="TransactionsInFlight"/> at a time (as <see cref="TableBatchWriter.UpsertAsync"/>
    /// writes). A failed transaction fails the store once those in flight have finished.
    /// </summary>
    private static Task DeleteRowsAsync(TableClient table, string filter, Func<TableEntity, bool> expired, Tally tally, CancellationToken cancellationToken, string[]? select = null, bool cache = false)
        => Parallel.ForEachAsync(
            ExpiredBatchesAsync(table, filter, expired, select ?? ["PartitionKey", "RowKey"], tally, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = TransactionsInFlight, CancellationToken = cancellationToken },
            async (batch, _) =>
            {
                // Not the loop's token, which a failed sibling cancels: a transaction cancelled in flight may still be
                // applied by the service, and its rows would go uncounted.
                await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                tally.Deleted(batch.Count, cache);
            });

    /// <summary>
    /// The expired rows' delete transactions, each started only while the budget lasts. Keys only are read; the service
    /// returns rows in key order, so a partition's rows come together.
    /// </summary>
    private static async IAsyncEnumerable<List<TableTransactionAction>> ExpiredBatchesAsync(TableClient table, string filter, Func<TableEntity, bool> expired, string[] select, Tally tally, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<TableTransactionAction>(TableBatchWriter.MaxActionsPerTransaction);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (tally.Stopped) yield break;
            if (!expired(row)) continue;
            if (batch.Count == TableBatchWriter.MaxActionsPerTransaction || (batch.Count > 0 && batch[0].Entity.PartitionKey != row.PartitionKey))
            {
                if (tally.OutOfTime()) yield break;
                yield return batch;
                batch = new List<TableTransactionAction>(TableBatchWriter.MaxActionsPerTransaction);
            }

            // ETag.All: a row of a day this old is deleted even if a late pull touched it since it was read.
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
        }

        if (batch.Count > 0 && !tally.OutOfTime()) yield return batch;
    }

    /// <summary>
    /// Enrichment cache rows (shared by every tenant of this install) whose lookup is older than
    /// <paramref name="staleBefore"/>. Rows without a lookup time are another format; they are left alone.
    /// </summary>
    private async Task DeleteExpiredCacheRowsAsync(DateTimeOffset staleBefore, Tally tally, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.SourceCacheTable, cancellationToken).ConfigureAwait(false);
        var filter = $"{SourceProfileCache.EnrichedAtColumn} lt {TableClient.CreateQueryFilter($"{staleBefore}")}"; // the name bare, the value as an OData literal
        await DeleteRowsAsync(table, filter, row => row.GetDateTimeOffset(SourceProfileCache.EnrichedAtColumn) < staleBefore, tally, cancellationToken, ["PartitionKey", "RowKey", SourceProfileCache.EnrichedAtColumn], cache: true).ConfigureAwait(false);
    }

    /// <summary>
    /// The tenant's stored reports and CSV snapshots (<c>{daily|weekly|monthly|csv}/{tenant}/{yyyy}/{key}.{pdf|csv}</c>)
    /// of periods that start before <paramref name="cutoff"/>.
    /// </summary>
    private async Task DeleteReportBlobsAsync(long tenantId, LocalDate cutoff, Tally tally, CancellationToken cancellationToken)
    {
        var container = await storage.GetContainerAsync(storage.Options.ReportsContainer, cancellationToken).ConfigureAwait(false);
        foreach (var (folder, kind) in ReportFolders)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{folder}/{tenantId}/");
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                var file = blob.Name.AsSpan(blob.Name.LastIndexOf('/') + 1);
                var key = file.LastIndexOf('.') is var dot and > 0 ? file[..dot] : file;
                if (!ReportPeriod.TryParse(kind, key.ToString(), out var period))
                {
                    tally.Skipped++;
                    RetentionLog.NameNotUnderstood(logger, storage.Options.ReportsContainer, blob.Name);
                    continue;
                }

                if (period.First >= cutoff) continue;
                if (tally.OutOfTime()) return;
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
                tally.Blobs++;
            }
        }
    }

    /// <summary>What a run did so far, and whether it may start another deletion.</summary>
    private sealed class Tally(TimeProvider time, TimeSpan budget)
    {
        private readonly long _started = time.GetTimestamp();
        private readonly Lock _counting = new();
        private bool _begun;

        /// <summary>True once the budget stopped the run.</summary>
        public bool Stopped { get; private set; }

        /// <summary>
        /// Whether the budget is spent; a caller told no starts a deletion. A run always gets its first deletion, so
        /// every run makes progress.
        /// </summary>
        public bool OutOfTime()
        {
            if (!Stopped && _begun && time.GetElapsedTime(_started) >= budget) Stopped = true;
            _begun |= !Stopped;
            return Stopped;
        }

        public int Rows { get; private set; }

        public int Blobs { get; set; }

        public int CacheRows { get; private set; }

        /// <summary>Counts a finished delete transaction (they finish on several threads).</summary>
        public void Deleted(int rows, bool cache)
        {
            lock (_counting)
            {
                if (cache) CacheRows += rows;
                else Rows += rows;
            }
        }

        public int Skipped { get; set; }

        public int Failed { get; set; }
    }
}
