using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
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

/// <summary>
/// Streams the stored incident rows of a period as CSV (<see cref="IncidentCsv"/>), day by day, oldest first, with no
/// row cap and without holding the file. A complete day whose snapshot (<see cref="CsvSnapshotStore"/>) still carries
/// the day's change mark, the catalogue's tag and the format's is copied from its blob in chunks; any other day is
/// read from its table partition, its rows formatted into a small text buffer that is encoded into the output pipe
/// every <see cref="FlushChars"/> characters, and, when the day is complete, the same bytes are saved as the day's new
/// snapshot. Up to <see cref="DaysInFlight"/> days are opened ahead of the writer, so memory stays flat whatever the size.
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
                        rows += await WriteTableDayAsync(text, scope, day, consoleBase, stop.Token).ConfigureAwait(false);
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
                ReportsLog.CsvSnapshotUnreadable(logger, ex, ReportCalendar.IsoDay(day));
            }
        }

        var rows = Channel.CreateBounded<IncidentEntity>(new BoundedChannelOptions(DayBuffer) { SingleReader = true, SingleWriter = true });
        var sourcesTask = sources.GetDayAsync(scope.TenantId, day, cancellationToken);
        return new DaySource(day, null, rows.Reader, ReadDayAsync(rows.Writer, scope.TenantId, day, cancellationToken), sourcesTask, tag);
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

    /// <summary>Formats a day's table rows into the output; a complete day's bytes also become its snapshot, committed only once the whole day was read.</summary>
    private async Task<long> WriteTableDayAsync(Utf8Text text, CsvExportScope scope, DaySource day, Uri? consoleBase, CancellationToken cancellationToken)
    {
        var daySources = await day.Sources!.ConfigureAwait(false);
        CsvSnapshotWriter? snapshot = null;
        if (day.Tag is { } tag)
        {
            await text.FlushAsync(null, cancellationToken).ConfigureAwait(false); // the header or earlier days are not this day's
            snapshot = await StartSnapshotAsync(scope.TenantId, day.Day, tag, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            long rows = 0;
            await foreach (var row in day.Rows!.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var profile = row.TopIp is { } ip ? daySources.Profiles.GetValueOrDefault(ip) : null;
                IncidentCsv.AppendRecord(text.Chars, row, profile, scope.Vulnerabilities.GetValueOrDefault(row.VulnerabilityId), consoleBase);
                rows++;
                if (text.Chars.Length >= FlushChars) snapshot = await FlushAsync(text, snapshot, day.Day, cancellationToken).ConfigureAwait(false);
            }

            await day.Reading!.ConfigureAwait(false);
            if (snapshot is not null)
            {
                snapshot = await FlushAsync(text, snapshot, day.Day, cancellationToken).ConfigureAwait(false);
                if (snapshot is not null) await CommitSnapshotAsync(snapshot, rows, day.Day, cancellationToken).ConfigureAwait(false);
            }

            return rows;
        }
        finally
        {
            snapshot?.Dispose();
        }
    }

    private async Task<CsvSnapshotWriter?> StartSnapshotAsync(long tenantId, LocalDate day, CsvSnapshotTag tag, CancellationToken cancellationToken)
    {
        try
        {
            return await snapshots.StartAsync(tenantId, day, tag, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            ReportsLog.CsvSnapshotNotSaved(logger, ex, ReportCalendar.IsoDay(day));
            return null;
        }
    }

    /// <summary>Flushes the text; a snapshot that cannot take the bytes is dropped (logged) and the export goes on without it.</summary>
    private async Task<CsvSnapshotWriter?> FlushAsync(Utf8Text text, CsvSnapshotWriter? snapshot, LocalDate day, CancellationToken cancellationToken)
    {
        try
        {
            await text.FlushAsync(snapshot, cancellationToken).ConfigureAwait(false);
            return snapshot;
        }
        catch (SnapshotWriteException ex)
        {
            ReportsLog.CsvSnapshotNotSaved(logger, ex.InnerException!, ReportCalendar.IsoDay(day));
            snapshot!.Dispose();
            return null;
        }
    }

    private async Task CommitSnapshotAsync(CsvSnapshotWriter snapshot, long rows, LocalDate day, CancellationToken cancellationToken)
    {
        try
        {
            await snapshot.CommitAsync(rows, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            ReportsLog.CsvSnapshotNotSaved(logger, ex, ReportCalendar.IsoDay(day));
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

    /// <summary>The text buffer and its UTF-8 encoding into the output (and into a snapshot being written).</summary>
    private sealed class Utf8Text(PipeWriter output)
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
            output.Write(_bytes.WrittenSpan);
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
            var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted) throw new OperationCanceledException("The client stopped reading the export.");
        }
    }
}
