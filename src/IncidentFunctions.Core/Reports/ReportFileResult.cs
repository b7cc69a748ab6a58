using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace IncidentFunctions.Reports;

/// <summary>
/// Writes a stored report with the headers every report route shares: a strong ETag, Last-Modified,
/// <c>Cache-Control: private, no-cache</c> (reports change when late data arrives: clients may keep a copy but
/// revalidate it), and for a body the content type, length, <c>nosniff</c> and an inline download name. 304 and
/// HEAD carry the headers only.
/// </summary>
/// <param name="marking">The handling marking (<see cref="ReportMarking.Of"/>) the download name starts with; null for none.</param>
internal sealed class ReportFileResult(ReportFile file, Stream? content, bool notModified, string? marking) : IResult
{
    public const string PdfContentType = "application/pdf";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        await using (content)
        {
            var response = httpContext.Response;
            var headers = response.GetTypedHeaders();
            headers.ETag = new EntityTagHeaderValue(file.ETag);
            headers.LastModified = file.GeneratedAt;
            headers.CacheControl = new CacheControlHeaderValue { Private = true, NoCache = true };
            if (notModified)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = PdfContentType;
            response.ContentLength = file.Length;
            response.Headers.XContentTypeOptions = "nosniff";
            var disposition = new ContentDispositionHeaderValue("inline");
            disposition.SetHttpFileName(ReportMarking.FileName(marking, file.FileName));
            headers.ContentDisposition = disposition;
            if (content is not null) await content.CopyToAsync(response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>True when the request's If-None-Match names <paramref name="etag"/> (weak comparison) or is <c>*</c>.</summary>
    public static bool IfNoneMatch(HttpRequest request, string etag)
    {
        var header = request.GetTypedHeaders().IfNoneMatch;
        if (header is null || header.Count == 0) return false;
        var current = new EntityTagHeaderValue(etag);
        return header.Any(h => h.Tag == "*" || h.Compare(current, useStrongComparison: false));
    }
}
