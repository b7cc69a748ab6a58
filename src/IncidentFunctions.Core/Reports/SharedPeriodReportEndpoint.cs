using IncidentFunctions.AppModel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET|HEAD reports/shared/{weekly|monthly}/{period}.pdf?exp=…&amp;kid=…&amp;sig=…</c>: a period's PDF through an
/// expiring link (the period digests send these), checked as <see cref="SharedDailyReportEndpoint"/> checks its links:
/// a signature over <see cref="PeriodReportEndpoint.PathFor"/> of the same kind and period, 403 with no body otherwise.
/// </summary>
public sealed class SharedPeriodReportEndpoint(ReportLinkSigner signer, PeriodReportEndpoint report, ILogger<SharedPeriodReportEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetSharedPeriodReport";
    public const string Template = "reports/shared/{" + ReportCsvEndpoint.KindRouteValue + "}/{" + ReportCsvEndpoint.PeriodRouteValue + "}.pdf";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET", "HEAD"], Template, HttpAuthLevel.Anonymous);

    public static string PathFor(string kind, string period)
        => Template.Replace("{" + ReportCsvEndpoint.KindRouteValue + "}", kind, StringComparison.Ordinal).Replace("{" + ReportCsvEndpoint.PeriodRouteValue + "}", period, StringComparison.Ordinal);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        => HandleAsync(request, HttpRouteRegistration.RouteValue(request, ReportCsvEndpoint.KindRouteValue), HttpRouteRegistration.RouteValue(request, ReportCsvEndpoint.PeriodRouteValue), cancellationToken);

    public Task<IResult> HandleAsync(HttpRequest request, string kind, string period, CancellationToken cancellationToken)
        => signer.Refuse(request, PeriodReportEndpoint.PathFor(kind, period), logger) is { } refused ? Task.FromResult(refused) : report.HandleAsync(request, kind, period, cancellationToken);
}
