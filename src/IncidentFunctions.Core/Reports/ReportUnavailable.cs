using System.Globalization;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.AspNetCore.Http;
using Polly.Timeout;

namespace IncidentFunctions.Reports;

/// <summary>
/// The 503 every report route (PDF, CSV, archive) answers when what reports are built from does not answer: storage,
/// or Wallarm while the tenant is still unknown. Problem details with <c>Retry-After</c>, never an empty 500.
/// </summary>
internal static class ReportUnavailable
{
    /// <summary>How long a client should wait: the SDK (or the Wallarm client) has already retried for about this long.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>Storage refused or did not answer, after the SDK's own retries.</summary>
    public static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken)
        => StorageFailure.IsUnavailable(exception) && !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// Wallarm failed. Only the tenant lookup talks to Wallarm in a report route (reports are built from storage), and
    /// only until its first answer in this process when <c>Wallarm__ClientId</c> is not set.
    /// </summary>
    public static bool IsTenantLookupFailure(Exception exception, CancellationToken cancellationToken)
        => exception is WallarmException or HttpRequestException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested;

    /// <summary>503 for storage; <paramref name="what"/> names what could not be read ("The report", "The export"…).</summary>
    public static IResult Storage(HttpRequest request, string what, string verb = "read")
        => Problem(request, "Report storage is unavailable", $"{what} could not be {verb} because storage did not answer. Try again later.");

    /// <summary>503 for Wallarm while the tenant is unknown, naming the setting that avoids the lookup.</summary>
    public static IResult TenantUnknown(HttpRequest request)
        => Problem(request, "Wallarm tenant unknown", "The report's tenant is asked of Wallarm because Wallarm__ClientId is not set, and Wallarm did not answer. Try again later, or set Wallarm__ClientId.");

    private static IResult Problem(HttpRequest request, string title, string detail)
    {
        request.HttpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail);
    }
}
