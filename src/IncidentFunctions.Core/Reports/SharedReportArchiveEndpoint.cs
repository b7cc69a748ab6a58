using IncidentFunctions.AppModel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace IncidentFunctions.Reports;

/// <summary>
/// <c>GET reports/shared/archive?[month=yyyy-MM&amp;]exp=…&amp;kid=…&amp;sig=…</c>: the archive page through an expiring
/// link (the digest can carry one; the page's own month links are such links). Anonymous at the host; only a valid,
/// unexpired signature over <see cref="ReportArchive.ResourcePath"/> of the same month is served, 403 with no body
/// otherwise (the reason is logged, never told).
/// </summary>
public sealed class SharedReportArchiveEndpoint(ReportLinkSigner signer, ReportArchiveEndpoint archive, ILogger<SharedReportArchiveEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "GetSharedReportArchive";
    public const string Template = "reports/shared/archive";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET"], Template, HttpAuthLevel.Anonymous);

    public Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query;
        var month = query[ReportArchiveEndpoint.MonthParameter];
        string resource;
        if (StringValues.IsNullOrEmpty(month))
        {
            resource = ReportArchive.ResourcePath(null);
        }
        else if (month.Count == 1 && ReportArchive.TryParseMonth(month[0], out var m))
        {
            resource = ReportArchive.ResourcePath(m);
        }
        else
        {
            resource = "";
        }

        var check = resource.Length == 0
            ? SignatureCheck.Malformed
            : signer.Verify(resource, query);
        if (check != SignatureCheck.Valid)
        {
            ReportsLog.SignedLinkRefused(logger, request.Path.Value ?? "", check);
            return Task.FromResult(Results.StatusCode(StatusCodes.Status403Forbidden));
        }

        return archive.HandleAsync(request, Template, cancellationToken);
    }
}
