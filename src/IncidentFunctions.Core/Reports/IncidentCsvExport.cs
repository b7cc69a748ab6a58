using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>What an export needs before its first byte is sent: read up front so a storage outage can still be answered 503.</summary>
/// <param name="DayMarks">The change marks of the period's complete days (read before any of their rows): the days that may be served from or saved as snapshots.</param>
/// <param name="CatalogTag">What the records show of <paramref name="Vulnerabilities"/> (<see cref="VulnerabilityCatalog.ShownContentTag"/>).</param>
public sealed record CsvExportScope(
    long TenantId,
    ReportPeriod Period,
    IReadOnlyDictionary<long, VulnerabilityEntity> Vulnerabilities,
    IReadOnlyDictionary<LocalDate, string> DayMarks,
    string CatalogTag);

/// <summary>What a run of <see cref="CsvSnapshotJob"/> needs, read once: the tenant, the catalogue and its tag, the CSV format's tag.</summary>
/// <param name="DayMarks">The change marks of the complete days asked for that have one (none is created: a day never written has nothing to snapshot).</param>
public sealed record CsvSnapshotScope(
    long TenantId,
    IReadOnlyDictionary<long, VulnerabilityEntity> Vulnerabilities,
    string CatalogTag,
    string Format,
    IReadOnlyDictionary<LocalDate, string> DayMarks);

/// <summary>
/// Streams the stored incident rows of a period as CSV (<see cref="IncidentCsv"/>), day by day, oldest first, with no
/// row cap and without holding the file. A complete day whose snapshot (<see cref="CsvSnapshotStore"/>) still carries
/// the day's change mark, the catalogue's tag and the format's is copied from its blob in chunks; any other day is
/// read from its table partition, its rows formatted into a small text buffer that is encoded into the output pipe
/// every <see cref="FlushChars"/> characters, and, when the day is complete, the same bytes are saved as the day's new
/// snapshot. Up to <see cref="DaysInFlight"/> days are opened ahead of the writer, so memory stays flat whatever the size.
/// <see cref="CsvSnapshotJob"/> writes the snapshots of closed days ahead of their first export through the same
/// day-writing path (<see cref="WriteSnapshotAsync"/>), with no output but the snapshot.
/// </summary>
public sealed class IncidentCsvExport(
    IncidentStore incidents,
    SourceProfileStore sources,
    VulnerabilityCatalog vulnerabilities,
    DayChangeMarks marks,
    CsvSnapshotStore snapshots,
    ReportPeriods periods,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IOptions<WallarmOptions> wallarmOptions,
    ILogger<IncidentCsvExport> logger)
{
    internal const int FlushChars = 32 * 1024;

    /// <summary>Days opened at once (table partitions read, snapshot downloads begun).</summary>
    internal const int DaysInFlight = 4;

    /// <summary>Rows buffered per day read ahead of the writer (a table page).</summary>
    private const int DayBuffer = 1_000;

    private const int CopyChunk = 64 * 1024;

    public async Task<CsvExportScope> PrepareAsync(ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var catalog = await vulnerabilities.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false);

        // Only ended days are snapshotted: today's rows change all day. Their marks are read before any of their rows.
        var today = periods.Today();
        var complete = period.Days.Where(d => d < today).ToList();
        IReadOnlyDictionary<LocalDate, string> dayMarks = complete.Count == 0
            ? new Dictionary<LocalDate, string>()
            : (await marks.GetAsync(tenantId, period.First, period.Last, complete, cancellationToken).ConfigureAwait(false))
                .Where(m => m.Key < today && m.Value.Length > 0).ToDictionary();
        return new CsvExportScope(tenantId, period, catalog, dayMarks, VulnerabilityCatalog.ShownContentTag(catalog));
    }

    /// <summary>
    /// For <see cref="CsvSnapshotJob"/>: the catalogue, the format and the change marks of the complete days from
    /// <paramref name="first"/> to <paramref name="last"/> (today and later are left out), read before any of their rows.
    /// </summary>
    public async Task<CsvSnapshotScope> PrepareSnapshotsAsync(LocalDate first, LocalDate last, CancellationToken cancellationToken = default)
    {
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var catalog = await vulnerabilities.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var today = periods.Today();
        var lastComplete = last < today ? last : today.PlusDays(-1);
        IReadOnlyDictionary<LocalDate, string> dayMarks = first > lastComplete
            ? new Dictionary<LocalDate, string>()
            : (await marks.GetAsync(tenantId, first, lastComplete, [], cancellationToken).ConfigureAwait(false))
                .Where(m => m.Key < today && m.Value.Length > 0).ToDictionary();
        var format = IncidentCsv.FormatTag(wallarmOptions.Value.ResolveConsoleAddress());
        return new CsvSnapshotScope(tenantId, catalog, VulnerabilityCatalog.ShownContentTag(catalog), format, dayMarks);
    }

    /// <summary>Whether the day's stored snapshot was made from <paramref name="mark"/> and the scope's catalogue and format (one blob properties read).</summary>
    public Task<bool> IsSnapshotCurrentAsync(CsvSnapshotScope scope, LocalDate day, string mark, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return snapshots.IsCurrentAsync(scope.TenantId, day, new CsvSnapshotTag(scope.Format, scope.CatalogTag, mark), cancellationToken);
    }

    /// <summary>
    /// Reads the day from its table and saves it as its snapshot tagged with <paramref name="mark"/>, which must have
    /// been read before this call (<see cref="PrepareSnapshotsAsync"/>) so a write racing the read leaves a snapshot no
    /// export trusts. Returns the rows written; throws when the snapshot could not be saved.
    /// </summary>
    public async Task<long> WriteSnapshotAsync(CsvSnapshotScope scope, LocalDate day, string mark, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var consoleBase = wallarmOptions.Value.ResolveConsoleAddress();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var source = OpenTableDay(scope.TenantId, day, new CsvSnapshotTag(scope.Format, scope.CatalogTag, mark), stop.Token);
        try
        {
            var written = await WriteTableDayAsync(new Utf8Text(null), scope.TenantId, scope.Vulnerabilities, source, consoleBase, stop.Token).ConfigureAwait(false);
            return written.SnapshotFailure is { } failure
                ? throw new IOException($"The CSV snapshot of {ReportCalendar.IsoDay(day)} could not be saved: {failure.Message}", failure)
                : written.Rows;
        }
        finally
        {
            // A failed write must stop the day's reader (it may be waiting for room in its buffer) before it is released.
            await stop.CancelAsync().ConfigureAwait(false);
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes the header and every row of the scope's period; returns the number of rows written.</summary>
    public async Task<long> WriteAsync(PipeWriter output, CsvExportScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scope);
        var consoleBase = wallarmOptions.Value.ResolveConsoleAddress();
        var format = IncidentCsv.FormatTag(consoleBase);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var days = scope.Period.Days.ToList();
        var opened = new Queue<Task<DaySource>>();
        var next = 0;
        void OpenNext()
        {
            if (next < days.Count) opened.Enqueue(OpenDayAsync(scope, days[next++], format, stop.Token));
        }

        for (var i = 0; i < DaysInFlight; i++) OpenNext();
        var text = new Utf8Text(output);
        text.Chars.Append(IncidentCsv.Header);
        long rows = 0;
        try
        {
            while (opened.TryDequeue(out var opening))
            {
                var day = await opening.ConfigureAwait(false);
                try
                {
                    if (day.Snapshot is { } snapshot)
                    {
                        await text.FlushAsync(null, stop.Token).ConfigureAwait(false);
                        await CopyAsync(snapshot, output, stop.Token).ConfigureAwait(false);
                        rows += snapshot.Rows;
                    }
                    else
                    {
                        var written = await WriteTableDayAsync(text, scope.TenantId, scope.Vulnerabilities, day, consoleBase, stop.Token).ConfigureAwait(false);
                        if (written.SnapshotFailure is { } failure) ReportsLog.CsvSnapshotNotSaved(logger, failure, ReportCalendar.IsoDay(day.Day));
                        rows += written.Rows;
                    }
                }
                catch
                {
                    // Stop the day's own reader (it may be waiting for room in its buffer) before it is released.
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }
                finally
                {
                    await day.DisposeAsync().ConfigureAwait(false);
                }

                OpenNext();
            }

            await text.FlushAsync(null, stop.Token).ConfigureAwait(false);
            return rows;
        }
        finally
        {
            // A failed write (client gone) must stop the days opened ahead too, and release what they hold.
            await stop.CancelAsync().ConfigureAwait(false);
            while (opened.TryDequeue(out var pending))
            {
                try
                {
                    await (await pending.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Stopped or failed after the export already ended: nothing to report.
                }
            }
        }
    }

    /// <summary>One day of the export: its matching snapshot, or its table read (with the tag a new snapshot gets when the day is complete).</summary>
    private sealed record DaySource(LocalDate Day, CsvSnapshot? Snapshot, ChannelReader<IncidentEntity>? Rows, Task? Reading, Task<SourceDay>? Sources, CsvSnapshotTag? Tag) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Snapshot is not null) await Snapshot.DisposeAsync().ConfigureAwait(false);
            foreach (var task in new[] { Reading, Sources })
            {
                if (task is null) continue;
                await Task.WhenAny(task).ConfigureAwait(false);
                _ = task.Exception; // observed: a failure that matters has already surfaced through the rows
            }
        }
    }

    private async Task<DaySource> OpenDayAsync(CsvExportScope scope, LocalDate day, string format, CancellationToken cancellationToken)
    {
        CsvSnapshotTag? tag = scope.DayMarks.TryGetValue(day, out var mark) ? new CsvSnapshotTag(format, scope.CatalogTag, mark) : null;
        if (tag is not null)
        {
            try
            {
                if (await snapshots.OpenAsync(scope.TenantId, day, tag, cancellationToken).ConfigureAwait(false) is { } snapshot)
                {
                    return new DaySource(day, snapshot, null, null, null, null);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Nothing of the day was sent yet: the table has the same rows.
                ReportsLog.CsvSnapshotUnreadable(logger, StorageFailure.StackFor(ex), ReportCalendar.IsoDay(day), FailureText.Describe(ex));
            }
        }

        return OpenTableDay(scope.TenantId, day, tag, cancellationToken);
    }

    /// <summary>Starts reading the day's rows and source profiles from their tables.</summary>
    private DaySource OpenTableDay(long tenantId, LocalDate day, CsvSnapshotTag? tag, CancellationToken cancellationToken)
    {
        var rows = Channel.CreateBounded<IncidentEntity>(new BoundedChannelOptions(DayBuffer) { SingleReader = true, SingleWriter = true });
        var sourcesTask = sources.GetDayAsync(tenantId, day, cancellationToken);
        return new DaySource(day, null, rows.Reader, ReadDayAsync(rows.Writer, tenantId, day, cancellationToken), sourcesTask, tag);
    }

    private async Task ReadDayAsync(ChannelWriter<IncidentEntity> rows, long tenantId, LocalDate day, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await foreach (var row in incidents.GetDayAsync(tenantId, day, cancellationToken).ConfigureAwait(false))
            {
                await rows.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            rows.TryComplete(failure);
        }
    }

    /// <summary>A table day written: its rows, and why its snapshot was not saved (null when it was, or when none was due).</summary>
    private readonly record struct TableDay(long Rows, Exception? SnapshotFailure);

    /// <summary>
    /// Formats a day's table rows into the output; a complete day's bytes also become its snapshot, committed only once
    /// the whole day was read. A snapshot that cannot be started, take the bytes or be committed is dropped and its
    /// failure returned: the output still gets every row. The one path by which both the export and the job write a day.
    /// </summary>
    private async Task<TableDay> WriteTableDayAsync(Utf8Text text, long tenantId, IReadOnlyDictionary<long, VulnerabilityEntity> catalog, DaySource day, Uri? consoleBase, CancellationToken cancellationToken)
    {
        var daySources = await day.Sources!.ConfigureAwait(false);
        CsvSnapshotWriter? snapshot = null;
        Exception? notSaved = null;
        if (day.Tag is { } tag)
        {
            await text.FlushAsync(null, cancellationToken).ConfigureAwait(false); // the header or earlier days are not this day's
            try
            {
                snapshot = await snapshots.StartAsync(tenantId, day.Day, tag, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                notSaved = ex;
            }
        }

        try
        {
            long rows = 0;
            await foreach (var row in day.Rows!.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var profile = row.TopIp is { } ip ? daySources.Profiles.GetValueOrDefault(ip) : null;
                IncidentCsv.AppendRecord(text.Chars, row, profile, catalog.GetValueOrDefault(row.VulnerabilityId), consoleBase);
                rows++;
                if (text.Chars.Length >= FlushChars) (snapshot, notSaved) = await FlushAsync(text, snapshot, notSaved, cancellationToken).ConfigureAwait(false);
            }

            await day.Reading!.ConfigureAwait(false);
            if (snapshot is not null)
            {
                (snapshot, notSaved) = await FlushAsync(text, snapshot, notSaved, cancellationToken).ConfigureAwait(false);
                if (snapshot is not null) notSaved = await CommitSnapshotAsync(snapshot, rows, cancellationToken).ConfigureAwait(false);
            }

            return new TableDay(rows, notSaved);
        }
        finally
        {
            snapshot?.Dispose();
        }
    }

    /// <summary>Flushes the text; a snapshot that cannot take the bytes is dropped (its failure returned) and the output goes on without it.</summary>
    private static async Task<(CsvSnapshotWriter? Snapshot, Exception? NotSaved)> FlushAsync(Utf8Text text, CsvSnapshotWriter? snapshot, Exception? notSaved, CancellationToken cancellationToken)
    {
        try
        {
            await text.FlushAsync(snapshot, cancellationToken).ConfigureAwait(false);
            return (snapshot, notSaved);
        }
        catch (SnapshotWriteException ex)
        {
            snapshot!.Dispose();
            return (null, ex.InnerException!);
        }
    }

    private static async Task<Exception?> CommitSnapshotAsync(CsvSnapshotWriter snapshot, long rows, CancellationToken cancellationToken)
    {
        try
        {
            await snapshot.CommitAsync(rows, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return ex;
        }
    }

    /// <summary>Copies a snapshot's bytes into the output in chunks; one that ends short of its length fails the export (bytes were sent).</summary>
    private static async Task CopyAsync(CsvSnapshot snapshot, PipeWriter output, CancellationToken cancellationToken)
    {
        long copied = 0;
        while (true)
        {
            var memory = output.GetMemory(CopyChunk);
            var read = await snapshot.Content.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            output.Advance(read);
            copied += read;
            var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted) throw new OperationCanceledException("The client stopped reading the export.");
        }

        if (copied != snapshot.Length) throw new IOException($"A CSV snapshot ended after {copied} of its {snapshot.Length} bytes.");
    }

    /// <summary>A snapshot's storage failed while the export's own write went on.</summary>
    private sealed class SnapshotWriteException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>The text buffer and its UTF-8 encoding into the output, if any (and into a snapshot being written).</summary>
    private sealed class Utf8Text(PipeWriter? output)
    {
        private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        private readonly ArrayBufferWriter<byte> _bytes = new(FlushChars * 3 / 2);

        public StringBuilder Chars { get; } = new(FlushChars + 4096);

        /// <summary>
        /// Encodes and sends what the buffer holds (it always ends with a whole record, so no character is pending in
        /// the encoder afterwards) and gives the same bytes to <paramref name="snapshot"/>.
        /// </summary>
        public async ValueTask FlushAsync(CsvSnapshotWriter? snapshot, CancellationToken cancellationToken)
        {
            if (Chars.Length == 0) return;
            foreach (var chunk in Chars.GetChunks())
            {
                // The encoder keeps a high surrogate that ends a chunk for the next one, so no character is split.
                _encoder.Convert(chunk.Span, _bytes, flush: false, out _, out _);
            }

            Chars.Clear();
            output?.Write(_bytes.WrittenSpan);
            if (snapshot is not null)
            {
                try
                {
                    await snapshot.AppendAsync(_bytes.WrittenMemory, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    _bytes.ResetWrittenCount();
                    await SendAsync(cancellationToken).ConfigureAwait(false);
                    throw new SnapshotWriteException(ex);
                }
            }

            _bytes.ResetWrittenCount();
            await SendAsync(cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask SendAsync(CancellationToken cancellationToken)
        {
            if (output is null) return; // writing a snapshot only
            var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted) throw new OperationCanceledException("The client stopped reading the export.");
        }
    }
}
