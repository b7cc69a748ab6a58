using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET reports[?month=yyyy-MM]</c>, function key: the report archive page (<see cref="ReportArchive"/>,
/// <see cref="ReportArchivePage"/>) for one month, the current one by default. 400 for a malformed month, 404 for one
/// outside retention, 503 with <c>Retry-After</c> while storage is unavailable. The page is sent with a strict CSP,
/// <c>nosniff</c>, <c>Referrer-Policy: no-referrer</c> (its signed links must not leak to other sites) and
/// <c>Cache-Control: no-store</c> (they expire).
/// </summary>
public sealed class ReportArchiveEndpoint(ReportArchive archive, ILogger<ReportArchiveEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetReportArchive";
    public const string Template = "reports";
    public const string MonthParameter = "month";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET"], Template, HttpAuthLevel.Function);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HandleAsync(request, Template, cancellationToken);
    }

    /// <param name="routeTemplate">The template the request matched, to find the route prefix in its path.</param>
    internal async Task<IResult> HandleAsync(HttpRequest request, string routeTemplate, CancellationToken cancellationToken)
    {
        YearMonth month;
        var monthValues = request.Query[MonthParameter];
        if (StringValues.IsNullOrEmpty(monthValues))
        {
            month = archive.DefaultMonth();
        }
        else if (monthValues.Count != 1 || !ReportArchive.TryParseMonth(monthValues[0], out month))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid month", detail: "The month must be given as yyyy-MM, for example 2026-11.");
        }

        if (!archive.Months().Contains(month))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No reports for this month", detail: "Reports are kept for the retention period (Reports:RetentionDays); this month is outside it.");
        }

        try
        {
            var model = await archive.BuildAsync(month, Prefix(request, routeTemplate), cancellationToken).ConfigureAwait(false);
            SetHeaders(request.HttpContext.Response);
            return Results.Content(ReportArchivePage.Render(model), "text/html; charset=utf-8");
        }
        catch (Exception ex) when (ReportUnavailable.IsStorageFailure(ex, cancellationToken))
        {
            ReportsLog.ArchiveStorageUnavailable(logger, StorageFailure.StackFor(ex), FailureText.Describe(ex));
            return ReportUnavailable.Storage(request, "The archive");
        }
        catch (Exception ex) when (ReportUnavailable.IsTenantLookupFailure(ex, cancellationToken))
        {
            ReportsLog.TenantUnknown(logger, month.ToString("yyyy-MM", CultureInfo.InvariantCulture), FailureText.Describe(ex));
            return ReportUnavailable.TenantUnknown(request);
        }
    }

    /// <summary>Security headers of the page (also sent with the signed route's answers).</summary>
    internal static void SetHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ReportArchivePage.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
    }

    /// <summary>
    /// The path up to the route (e.g. <c>/api/</c>): the request path without the route's own part, so the page's
    /// root-relative links work under whatever prefix the host uses.
    /// </summary>
    internal static string Prefix(HttpRequest request, string routeTemplate)
    {
        var path = (request.PathBase + request.Path).Value ?? "/";
        var at = path.LastIndexOf("/" + routeTemplate, StringComparison.OrdinalIgnoreCase);
        return at >= 0 ? path[..(at + 1)] : "/";
    }
}
