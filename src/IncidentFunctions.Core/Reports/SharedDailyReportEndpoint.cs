using IncidentFunctions.AppModel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET|HEAD reports/shared/daily/{date}.pdf?exp=…&amp;kid=…&amp;sig=…</c>: the daily report through an expiring
/// link. Anonymous at the host, because the host checks function keys before any code runs; this route accepts only a
/// valid, unexpired signature over <see cref="DailyReportEndpoint.PathFor"/> of the same date and answers 403 with no
/// body otherwise (the reason is logged, never told). A valid link is then served exactly as the keyed route serves it.
/// </summary>
public sealed class SharedDailyReportEndpoint(ReportLinkSigner signer, DailyReportEndpoint daily, ILogger<SharedDailyReportEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetSharedDailyReport";
    public const string Template = "reports/shared/daily/{" + DailyReportEndpoint.DateRouteValue + "}.pdf";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET", "HEAD"], Template, HttpAuthLevel.Anonymous);

    public static string PathFor(string dateSegment) => Template.Replace("{" + DailyReportEndpoint.DateRouteValue + "}", dateSegment, StringComparison.Ordinal);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        => HandleAsync(request, HttpRouteRegistration.RouteValue(request, DailyReportEndpoint.DateRouteValue), cancellationToken);

    public Task<IResult> HandleAsync(HttpRequest request, string date, CancellationToken cancellationToken)
        => signer.Refuse(request, DailyReportEndpoint.PathFor(date), logger) is { } refused ? Task.FromResult(refused) : daily.HandleAsync(request, date, cancellationToken);
}
