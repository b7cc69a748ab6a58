using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Reports;

/// <summary>What an export needs before its first byte is sent: read up front so a storage outage can still be answered 503.</summary>
public sealed record CsvExportScope(long TenantId, ReportPeriod Period, IReadOnlyDictionary<long, VulnerabilityEntity> Vulnerabilities);

/// <summary>
/// Streams the stored incident rows of a period as CSV (<see cref="IncidentCsv"/>), day by day, oldest first, with no
/// row cap and without holding the file: rows are formatted into a small text buffer that is encoded into the output
/// pipe and flushed every <see cref="FlushChars"/> characters. Reading runs ahead of writing through a bounded channel,
/// so the next table page is fetched while the current one is formatted, and memory stays flat whatever the size.
/// </summary>
public sealed class IncidentCsvExport(
    IncidentStore incidents,
    SourceProfileStore sources,
    VulnerabilityCatalog vulnerabilities,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IOptions<WallarmOptions> wallarmOptions)
{
    internal const int FlushChars = 32 * 1024;
    private const int ReadAhead = 2_000;

    /// <summary>Day partitions read at once.</summary>
    internal const int DaysInFlight = 4;

    /// <summary>Rows buffered per day read ahead of the writer (a table page).</summary>
    private const int DayBuffer = 1_000;

    public async Task<CsvExportScope> PrepareAsync(ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var catalog = await vulnerabilities.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return new CsvExportScope(tenantId, period, catalog);
    }

    /// <summary>Writes the header and every row of the scope's period; returns the number of rows written.</summary>
    public async Task<long> WriteAsync(PipeWriter output, CsvExportScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scope);
        var consoleBase = wallarmOptions.Value.ResolveConsoleAddress();
        var channel = Channel.CreateBounded<(IncidentEntity Row, SourceDay Sources)>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadAsync(channel.Writer, scope, stop.Token);

        var encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        var text = new StringBuilder(FlushChars + 4096);
        text.Append(IncidentCsv.Header);
        long rows = 0;
        try
        {
            await foreach (var (row, day) in channel.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var profile = row.TopIp is { } ip ? day.Profiles.GetValueOrDefault(ip) : null;
                IncidentCsv.AppendRecord(text, row, profile, scope.Vulnerabilities.GetValueOrDefault(row.VulnerabilityId), consoleBase);
                rows++;
                if (text.Length >= FlushChars) await FlushAsync(output, encoder, text, final: false, stop.Token).ConfigureAwait(false);
            }

            await reading.ConfigureAwait(false);
            await FlushAsync(output, encoder, text, final: true, stop.Token).ConfigureAwait(false);
            return rows;
        }
        finally
        {
            // A failed write (client gone) must stop the reader too; its own failure surfaces through the channel.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(reading).ConfigureAwait(false);
            _ = reading.Exception; // observed: a reading failure has already ended the loop above through the channel
        }
    }

    /// <summary>
    /// Feeds the rows in day order. Up to <see cref="DaysInFlight"/> days are read at once, each into its own small
    /// buffer: a table partition serves a bounded rate of entities (Azure Storage targets 2,000 per second per
    /// partition), so a week's or month's export gains from reading several day partitions side by side.
    /// </summary>
    private async Task ReadAsync(ChannelWriter<(IncidentEntity, SourceDay)> writer, CsvExportScope scope, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = new List<Task>();
        try
        {
            var days = scope.Period.Days.ToList();
            var inFlight = new Queue<DayRead>();
            var next = 0;
            void StartNext()
            {
                if (next >= days.Count) return;
                var day = StartDay(scope.TenantId, days[next++], stop.Token);
                started.Add(day.Reading);
                started.Add(day.Sources);
                inFlight.Enqueue(day);
            }

            for (var i = 0; i < DaysInFlight; i++) StartNext();
            while (inFlight.TryDequeue(out var day))
            {
                var daySources = await day.Sources.ConfigureAwait(false);
                await foreach (var row in day.Rows.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    await writer.WriteAsync((row, daySources), stop.Token).ConfigureAwait(false);
                }

                StartNext();
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            writer.TryComplete(failure);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(started).ConfigureAwait(false);
            }
            catch (Exception) when (failure is not null || stop.IsCancellationRequested)
            {
                // Already reported through the channel (or the export was stopped): the other days' reads just end.
            }
        }
    }

    private sealed record DayRead(ChannelReader<IncidentEntity> Rows, Task Reading, Task<SourceDay> Sources);

    private DayRead StartDay(long tenantId, NodaTime.LocalDate day, CancellationToken cancellationToken)
    {
        var rows = Channel.CreateBounded<IncidentEntity>(new BoundedChannelOptions(DayBuffer) { SingleReader = true, SingleWriter = true });
        var sourcesTask = sources.GetDayAsync(tenantId, day, cancellationToken);
        return new DayRead(rows.Reader, ReadDayAsync(rows.Writer, tenantId, day, cancellationToken), sourcesTask);
    }

    private async Task ReadDayAsync(ChannelWriter<IncidentEntity> rows, long tenantId, NodaTime.LocalDate day, CancellationToken cancellationToken)
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

    private static async ValueTask FlushAsync(PipeWriter output, Encoder encoder, StringBuilder text, bool final, CancellationToken cancellationToken)
    {
        foreach (var chunk in text.GetChunks())
        {
            // The encoder keeps a high surrogate that ends a chunk for the next one, so no character is split.
            encoder.Convert(chunk.Span, output, flush: false, out _, out _);
        }

        if (final) encoder.Convert(ReadOnlySpan<char>.Empty, output, flush: true, out _, out _);
        text.Clear();
        var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted) throw new OperationCanceledException("The client stopped reading the export.");
    }
}
