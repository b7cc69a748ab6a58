using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET|HEAD reports/daily/{date}.pdf</c>, function key: the day's PDF. <c>date</c> is <c>yyyy-MM-dd</c> or
/// <c>latest</c> (yesterday in the report zone). 400 (problem+json) for a bad date, 404 outside the retention, 304 on
/// a matching If-None-Match, 503 with <c>Retry-After</c> while storage is unavailable (or, with no tenant configured, Wallarm).
/// </summary>
public sealed class DailyReportEndpoint(DailyReportService reports, IOptions<ReportOptions> options, ILogger<DailyReportEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetDailyReport";
    public const string DateRouteValue = "date";
    public const string Template = "reports/daily/{" + DateRouteValue + "}.pdf";
    public const string Latest = "latest";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET", "HEAD"], Template, HttpAuthLevel.Function);

    /// <summary>The route's path (without the prefix) for a date segment; also what a shared link signs.</summary>
    public static string PathFor(string dateSegment) => Template.Replace("{" + DateRouteValue + "}", dateSegment, StringComparison.Ordinal);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        => HandleAsync(request, HttpRouteRegistration.RouteValue(request, DateRouteValue), cancellationToken);

    /// <param name="date">The <c>{date}</c> segment as the host bound it.</param>
    public async Task<IResult> HandleAsync(HttpRequest request, string date, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        LocalDate day;
        if (string.Equals(date, Latest, StringComparison.OrdinalIgnoreCase))
        {
            day = reports.LatestDay();
        }
        else if (date.Length != 10 || !ReportCalendar.TryParseIsoDay(date, out day))
        {
            ReportsLog.BadDate(logger, date.Length);
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid report date",
                detail: "The date must be a calendar day as yyyy-MM-dd (for example 2026-11-20) or 'latest'.");
        }

        if (!reports.IsAvailable(day))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No report for this day",
                detail: $"Reports exist for today and the {options.Value.RetentionDays.ToString(CultureInfo.InvariantCulture)} days before it.");
        }

        try
        {
            var (file, generated) = await reports.GetOrCreateWithContentAsync(day, cancellationToken).ConfigureAwait(false);
            var marking = ReportMarking.Of(options.Value);
            if (ReportFileResult.IfNoneMatch(request, file.ETag)) return new ReportFileResult(file, null, notModified: true, marking);
            if (HttpMethods.IsHead(request.Method)) return new ReportFileResult(file, null, notModified: false, marking);

            // Opened here, not while writing, so a storage failure can still be answered with a status of its own.
            var (current, content) = await reports.OpenReadAsync(file, generated, cancellationToken).ConfigureAwait(false);
            return new ReportFileResult(current, content, notModified: false, marking);
        }
        catch (Exception ex) when (ReportUnavailable.IsStorageFailure(ex, cancellationToken))
        {
            ReportsLog.StorageUnavailable(logger, StorageFailure.StackFor(ex), ReportCalendar.IsoDay(day), FailureText.Describe(ex));
            return ReportUnavailable.Storage(request, "The report", "read or generated");
        }
        catch (Exception ex) when (ReportUnavailable.IsTenantLookupFailure(ex, cancellationToken))
        {
            ReportsLog.TenantUnknown(logger, ReportCalendar.IsoDay(day), FailureText.Describe(ex));
            return ReportUnavailable.TenantUnknown(request);
        }
    }
}
