using IncidentFunctions.AppModel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET|HEAD reports/shared/{kind}/{period}.csv?exp=…&amp;kid=…&amp;sig=…</c>: the CSV export through an expiring
/// link, checked as <see cref="SharedDailyReportEndpoint"/> checks its links (signature over
/// <see cref="ReportCsvEndpoint.PathFor"/> of the same kind and period; 403 with no body otherwise).
/// </summary>
public sealed class SharedReportCsvEndpoint(ReportLinkSigner signer, ReportCsvEndpoint csv, ILogger<SharedReportCsvEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetSharedReportCsv";
    public const string Template = "reports/shared/{" + ReportCsvEndpoint.KindRouteValue + "}/{" + ReportCsvEndpoint.PeriodRouteValue + "}.csv";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET", "HEAD"], Template, HttpAuthLevel.Anonymous);

    public static string PathFor(string kind, string period)
        => Template.Replace("{" + ReportCsvEndpoint.KindRouteValue + "}", kind, StringComparison.Ordinal).Replace("{" + ReportCsvEndpoint.PeriodRouteValue + "}", period, StringComparison.Ordinal);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        => HandleAsync(request, HttpRouteRegistration.RouteValue(request, ReportCsvEndpoint.KindRouteValue), HttpRouteRegistration.RouteValue(request, ReportCsvEndpoint.PeriodRouteValue), cancellationToken);

    public Task<IResult> HandleAsync(HttpRequest request, string kind, string period, CancellationToken cancellationToken)
        => signer.Refuse(request, ReportCsvEndpoint.PathFor(kind, period), logger) is { } refused ? Task.FromResult(refused) : csv.HandleAsync(request, kind, period, cancellationToken);
}
