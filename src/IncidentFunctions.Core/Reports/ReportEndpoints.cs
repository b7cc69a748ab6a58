using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// The report routes, shared by the Functions app (one thin function each) and the local runner.
/// <list type="bullet">
/// <item><c>GET|HEAD reports/daily/{date}.pdf</c>, function key: <c>date</c> is <c>yyyy-MM-dd</c> or <c>latest</c> (yesterday in the report zone).</item>
/// <item><c>GET|HEAD reports/shared/daily/{date}.pdf?exp=…&amp;kid=…&amp;sig=…</c>, anonymous at the host, because the host checks
/// function keys before any code runs; this handler accepts only a valid, unexpired signature over
/// <c>reports/daily/{date}.pdf</c> and answers 403 with no body otherwise.</item>
/// </list>
/// </summary>
public static class ReportEndpoints
{
    public const string DateRouteValue = "date";
    public const string Latest = "latest";

    public static HttpRoute Daily { get; } = new("GetDailyReport", ["GET", "HEAD"], "reports/daily/{date}.pdf", HttpAuthLevel.Function, (context, ct) => HandleAsync(context, shared: false, ct));

    public static HttpRoute SharedDaily { get; } = new("GetSharedDailyReport", ["GET", "HEAD"], "reports/shared/daily/{date}.pdf", HttpAuthLevel.Anonymous, (context, ct) => HandleAsync(context, shared: true, ct));

    private static async Task<IResult> HandleAsync(HttpContext context, bool shared, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReportEndpoints).FullName!);
        var segment = context.Request.RouteValues[DateRouteValue] as string ?? "";
        if (shared)
        {
            var query = context.Request.Query;
            var check = services.GetRequiredService<ReportLinkSigner>().Verify(
                ReportLinkSigner.ResourcePath(segment),
                Single(query[ReportLinkSigner.ExpiresParameter]),
                Single(query[ReportLinkSigner.KeyIdParameter]),
                Single(query[ReportLinkSigner.SignatureParameter]));
            if (check != SignatureCheck.Valid)
            {
                ReportsLog.SignedLinkRefused(logger, context.Request.Path.Value ?? "", check);
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }
        }

        var service = services.GetRequiredService<DailyReportService>();
        LocalDate day;
        if (string.Equals(segment, Latest, StringComparison.OrdinalIgnoreCase))
        {
            day = service.LatestDay();
        }
        else if (segment.Length != 10 || !ReportCalendar.TryParseIsoDay(segment, out day))
        {
            ReportsLog.BadDate(logger, segment.Length);
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid report date",
                detail: "The date must be a calendar day as yyyy-MM-dd (for example 2026-11-20) or 'latest'.");
        }

        if (!service.IsAvailable(day))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No report for this day",
                detail: $"Reports exist for today and the {services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReportOptions>>().Value.RetentionDays.ToString(CultureInfo.InvariantCulture)} days before it.");
        }

        var file = await service.GetOrCreateAsync(day, cancellationToken).ConfigureAwait(false);
        if (IfNoneMatch(context.Request, file.ETag)) return new PdfResult(file, service, NotModified: true);
        return new PdfResult(file, service, NotModified: false);
    }

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    private static bool IfNoneMatch(HttpRequest request, string etag)
    {
        var header = request.GetTypedHeaders().IfNoneMatch;
        if (header is null || header.Count == 0) return false;
        var current = new EntityTagHeaderValue(etag);
        return header.Any(h => h.Tag == "*" || h.Compare(current, useStrongComparison: false));
    }

    /// <summary>Writes the PDF (or only its headers for HEAD and 304) with caching and download headers.</summary>
    private sealed record PdfResult(ReportFile File, DailyReportService Service, bool NotModified) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var headers = response.GetTypedHeaders();
            var file = File;
            Stream? content = null;
            var isHead = HttpMethods.IsHead(httpContext.Request.Method);
            if (!NotModified && !isHead)
            {
                (file, content) = await Service.OpenReadAsync(file, httpContext.RequestAborted).ConfigureAwait(false);
            }

            await using (content)
            {
                headers.ETag = new EntityTagHeaderValue(file.ETag);
                headers.LastModified = file.GeneratedAt;
                // Reports change when late data arrives: let clients keep a copy but revalidate it every time.
                headers.CacheControl = new CacheControlHeaderValue { Private = true, NoCache = true };
                if (NotModified)
                {
                    response.StatusCode = StatusCodes.Status304NotModified;
                    return;
                }

                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/pdf";
                response.ContentLength = file.Length;
                response.Headers.XContentTypeOptions = "nosniff";
                var disposition = new ContentDispositionHeaderValue("inline");
                disposition.SetHttpFileName(file.FileName);
                headers.ContentDisposition = disposition;
                if (content is not null) await content.CopyToAsync(response.Body, httpContext.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
