using System.Diagnostics;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Reports;

/// <summary>What one run of <see cref="CsvSnapshotJob"/> did, per closed day of its look-back.</summary>
/// <param name="Unmarked">Days without a change mark: never written since marks exist, so there is nothing to snapshot.</param>
public sealed record CsvSnapshotRunResult(int Written, int UpToDate, int Failed, int Unmarked);

/// <summary>
/// Writes the CSV snapshots of the closed days of the last <see cref="ReportOptions.CsvSnapshotLookBackDays"/> ahead of their
/// first export, so that export is served from the blob instead of the day's table partition. A day is rewritten when
/// its snapshot is missing or no longer carries the day's change mark, the catalogue's tag and the format's (the
/// export's own check), so late writes (enrichment of yesterday after midnight) are caught by the next run. The marks
/// are read once per run, before any row, and each snapshot is tagged with the mark read (see
/// <see cref="Storage.DayChangeMarks"/>): a write racing the run leaves a snapshot no export trusts. One day's failure
/// is logged and the run goes on with the next.
/// </summary>
public sealed class CsvSnapshotJob(IncidentCsvExport export, ReportPeriods periods, IOptions<ReportOptions> options, ILogger<CsvSnapshotJob> logger)
{
    public const string FunctionName = "SnapshotCsvDays";

    public async Task<CsvSnapshotRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var lookBack = options.Value.CsvSnapshotLookBackDays;
        if (lookBack <= 0)
        {
            ReportsLog.CsvSnapshotsOff(logger);
            return new CsvSnapshotRunResult(0, 0, 0, 0);
        }

        var today = periods.Today();
        var (first, last) = (today.PlusDays(-lookBack), today.PlusDays(-1));
        var scope = await export.PrepareSnapshotsAsync(first, last, cancellationToken).ConfigureAwait(false);
        int written = 0, upToDate = 0, failed = 0;
        foreach (var (day, mark) in scope.DayMarks.OrderByDescending(m => m.Key)) // the most asked-for day first
        {
            var key = ReportCalendar.IsoDay(day);
            try
            {
                if (await export.IsSnapshotCurrentAsync(scope, day, mark, cancellationToken).ConfigureAwait(false))
                {
                    upToDate++;
                    continue;
                }

                var started = Stopwatch.GetTimestamp();
                var rows = await export.WriteSnapshotAsync(scope, day, mark, cancellationToken).ConfigureAwait(false);
                written++;
                var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                ReportsLog.CsvSnapshotWritten(logger, key, rows, elapsedMs);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                ReportsLog.CsvSnapshotDayFailed(logger, StorageFailure.StackFor(ex), key, FailureText.Describe(ex));
            }
        }

        var (firstKey, lastKey) = (ReportCalendar.IsoDay(first), ReportCalendar.IsoDay(last));
        var result = new CsvSnapshotRunResult(written, upToDate, failed, lookBack - scope.DayMarks.Count);
        ReportsLog.CsvSnapshotRun(logger, firstKey, lastKey, result.Written, result.UpToDate, result.Failed, result.Unmarked);
        return result;
    }
}
