using System.Net;
using System.Net.Http.Headers;

namespace IncidentFunctions.Enrichment;

/// <summary>The outcome of one conditional GET.</summary>
public sealed record IntelDownload(HttpStatusCode Status, byte[]? Content, string? ETag, DateTimeOffset? LastModified, bool TooLarge = false)
{
    public bool NotModified => Status == HttpStatusCode.NotModified;
}

/// <summary>
/// Fetches intel lists with conditional requests (<c>If-None-Match</c> / <c>If-Modified-Since</c>), so an unchanged
/// list costs a 304 and no parsing. Reads at most the source's plausible size. Retries and timeouts come from the
/// client's resilience pipeline (GETs are safe to repeat).
/// </summary>
public sealed class IntelDownloader(HttpClient http)
{
    public const string HttpClientName = "intel";

    public async Task<IntelDownload> GetAsync(Uri url, string? etag, DateTimeOffset? lastModified, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(etag) && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
        if (lastModified is { } since) request.Headers.IfModifiedSince = since;

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var newTag = response.Headers.ETag?.ToString();
        var newLastModified = response.Content.Headers.LastModified;
        if (response.StatusCode == HttpStatusCode.NotModified || !response.IsSuccessStatusCode)
        {
            return new IntelDownload(response.StatusCode, null, newTag ?? etag, newLastModified ?? lastModified);
        }

        if (response.Content.Headers.ContentLength > maxBytes) return new IntelDownload(response.StatusCode, null, newTag, newLastModified, TooLarge: true);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes) return new IntelDownload(response.StatusCode, null, newTag, newLastModified, TooLarge: true);
        }

        return new IntelDownload(response.StatusCode, buffer.ToArray(), newTag, newLastModified);
    }
}
