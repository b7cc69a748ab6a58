using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET|HEAD reports/{kind}/{period}.csv</c>, function key: every stored incident row of a day (<c>daily/yyyy-MM-dd</c>),
/// ISO week (<c>weekly/yyyy-Www</c>) or month (<c>monthly/yyyy-MM</c>), or of the last complete one (<c>latest</c>),
/// streamed as CSV (<see cref="IncidentCsv"/>). 404 for another kind, outside the retention or in the future; 400
/// (problem+json) for a malformed period; 503 with <c>Retry-After</c> when storage fails before the first byte.
/// </summary>
public sealed class ReportCsvEndpoint(IncidentCsvExport export, ReportPeriods periods, IOptions<ReportOptions> options, ILogger<ReportCsvEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetReportCsv";
    public const string KindRouteValue = "kind";
    public const string PeriodRouteValue = "period";
    public const string Template = "reports/{" + KindRouteValue + "}/{" + PeriodRouteValue + "}.csv";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET", "HEAD"], Template, HttpAuthLevel.Function);

    /// <summary>The route's path (without the prefix); also what a shared link signs.</summary>
    public static string PathFor(string kind, string period)
        => Template.Replace("{" + KindRouteValue + "}", kind, StringComparison.Ordinal).Replace("{" + PeriodRouteValue + "}", period, StringComparison.Ordinal);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        => HandleAsync(request, HttpRouteRegistration.RouteValue(request, KindRouteValue), HttpRouteRegistration.RouteValue(request, PeriodRouteValue), cancellationToken);

    public async Task<IResult> HandleAsync(HttpRequest request, string kind, string period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (periods.Resolve(kind, period, servesDays: true, "export", "Exports exist for daily, weekly and monthly periods.", logger, out var parsed) is { } problem)
        {
            return problem;
        }

        try
        {
            var scope = await export.PrepareAsync(parsed, cancellationToken).ConfigureAwait(false);
            return new CsvExportResult(export, scope, partial: !periods.IsComplete(parsed), bodyless: HttpMethods.IsHead(request.Method), ReportMarking.Of(options.Value), logger);
        }
        catch (Exception ex) when (ReportUnavailable.IsStorageFailure(ex, cancellationToken))
        {
            ReportsLog.StorageUnavailable(logger, StorageFailure.StackFor(ex), parsed.Key, FailureText.Describe(ex));
            return ReportUnavailable.Storage(request, "The export");
        }
        catch (Exception ex) when (ReportUnavailable.IsTenantLookupFailure(ex, cancellationToken))
        {
            ReportsLog.TenantUnknown(logger, parsed.Key, FailureText.Describe(ex));
            return ReportUnavailable.TenantUnknown(request);
        }
    }
}
