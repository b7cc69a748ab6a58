using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace IncidentFunctions.Reports;

/// <summary>
/// Streams a CSV export: headers first (no Content-Length: the size is known only at the end), then the rows as they
/// are read. A failure after the first byte cannot change the status any more, so the connection is aborted and the
/// client sees a truncated transfer rather than a file that looks complete. <c>X-Report-Partial: true</c> marks a
/// period that has not ended yet. The download name starts with the handling marking, if any (<paramref name="marking"/>):
/// a column would change the file's shape for every consumer, a name does not.
/// </summary>
internal sealed class CsvExportResult(IncidentCsvExport export, CsvExportScope scope, bool partial, bool bodyless, string? marking, ILogger logger) : IResult
{
    public const string PartialHeader = "X-Report-Partial";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = IncidentCsv.ContentType;
        response.Headers.XContentTypeOptions = "nosniff";
        response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { Private = true, NoCache = true };
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(ReportMarking.FileName(marking, $"incidents-{ReportPeriods.Segment(scope.Period.Kind)}-{scope.Period.Key}.csv"));
        response.GetTypedHeaders().ContentDisposition = disposition;
        if (partial) response.Headers[PartialHeader] = "true";
        if (bodyless) return;

        var stopwatch = Stopwatch.StartNew();
        var aborted = httpContext.RequestAborted;
        try
        {
            var rows = await export.WriteAsync(response.BodyWriter, scope, aborted).ConfigureAwait(false);
            await response.BodyWriter.CompleteAsync().ConfigureAwait(false);
            ReportsLog.Exported(logger, scope.Period.Key, rows, stopwatch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ReportsLog.ExportFailed(logger, ex, scope.Period.Key);
            httpContext.Abort();
        }
    }
}
