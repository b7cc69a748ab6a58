using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET|HEAD reports/{weekly|monthly}/{period}.pdf</c>, function key: the PDF of an ISO week (<c>yyyy-Www</c>) or a
/// month (<c>yyyy-MM</c>), or <c>latest</c> (the last complete one). Answers as the daily route does: 400 for a
/// malformed period, 404 for another kind, outside the retention or in the future, 304, HEAD, 503. A period not ended
/// yet is served as stored so far, marked partial in the PDF and with <c>X-Report-Partial: true</c>.
/// </summary>
/// <remarks>The daily route's literal <c>daily</c> segment takes precedence over <c>{kind}</c> in both hosts' routing.</remarks>
public sealed class PeriodReportEndpoint(PeriodReportService reports, ReportPeriods periods, IOptions<ReportOptions> options, ILogger<PeriodReportEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetPeriodReport";
    public const string Template = "reports/{" + ReportCsvEndpoint.KindRouteValue + "}/{" + ReportCsvEndpoint.PeriodRouteValue + "}.pdf";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET", "HEAD"], Template, HttpAuthLevel.Function);

    public static string PathFor(string kind, string period)
        => Template.Replace("{" + ReportCsvEndpoint.KindRouteValue + "}", kind, StringComparison.Ordinal).Replace("{" + ReportCsvEndpoint.PeriodRouteValue + "}", period, StringComparison.Ordinal);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        => HandleAsync(request, HttpRouteRegistration.RouteValue(request, ReportCsvEndpoint.KindRouteValue), HttpRouteRegistration.RouteValue(request, ReportCsvEndpoint.PeriodRouteValue), cancellationToken);

    public async Task<IResult> HandleAsync(HttpRequest request, string kind, string period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (periods.Resolve(kind, period, servesDays: false, "report", "Period reports exist for weekly and monthly periods (daily: reports/daily/{yyyy-MM-dd}.pdf).", logger, out var parsed) is { } problem)
        {
            return problem;
        }

        try
        {
            if (!periods.IsComplete(parsed)) request.HttpContext.Response.Headers[CsvExportResult.PartialHeader] = "true";
            var (file, generated) = await reports.GetOrCreateWithContentAsync(parsed, cancellationToken).ConfigureAwait(false);
            var marking = ReportMarking.Of(options.Value);
            if (ReportFileResult.IfNoneMatch(request, file.ETag)) return new ReportFileResult(file, null, notModified: true, marking);
            if (HttpMethods.IsHead(request.Method)) return new ReportFileResult(file, null, notModified: false, marking);
            var (current, content) = await reports.OpenReadAsync(file, parsed, generated, cancellationToken).ConfigureAwait(false);
            return new ReportFileResult(current, content, notModified: false, marking);
        }
        catch (Exception ex) when (ReportUnavailable.IsStorageFailure(ex, cancellationToken))
        {
            ReportsLog.StorageUnavailable(logger, StorageFailure.StackFor(ex), parsed.Key, FailureText.Describe(ex));
            return ReportUnavailable.Storage(request, "The report", "read or generated");
        }
        catch (Exception ex) when (ReportUnavailable.IsTenantLookupFailure(ex, cancellationToken))
        {
            ReportsLog.TenantUnknown(logger, parsed.Key, FailureText.Describe(ex));
            return ReportUnavailable.TenantUnknown(request);
        }
    }
}
