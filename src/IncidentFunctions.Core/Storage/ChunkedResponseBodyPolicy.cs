using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IncidentFunctions.Storage;

/// <summary>
/// Buffers Table storage response bodies in chunks below the large object heap threshold, before the Azure SDK's own
/// buffering sees them. The SDK copies each body into a growing <see cref="MemoryStream"/>: a page of query results
/// (hundreds of KB) leaves arrays of 128 KB, 256 KB and 512 KB on the large object heap, which only a full collection
/// frees, and reading a busy day's rows and profiles left tens of MB of them at the report's peak
/// (<c>daily-report-memory</c>). The SDK skips bodies that are already seekable, so it keeps its retries and timeouts
/// around this read. Bodies it is told not to buffer (streamed downloads) are left alone.
/// </summary>
internal sealed class ChunkedResponseBodyPolicy : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        if (Unbuffered(message) is not { } body) return;
        using (body)
        {
            // Synchronous reads take no token: the network timeout (the token here) ends a stalled read by closing it.
            using var stall = message.CancellationToken.Register(static stream => ((Stream)stream!).Dispose(), body);
            message.Response.ContentStream = ChunkedMemoryStream.ReadFrom(body, DeclaredLength(message.Response));
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        if (Unbuffered(message) is not { } body) return;
        await using (body.ConfigureAwait(false))
        {
            message.Response.ContentStream = await ChunkedMemoryStream.ReadFromAsync(body, DeclaredLength(message.Response), message.CancellationToken).ConfigureAwait(false);
        }
    }

    private static Stream? Unbuffered(HttpMessage message)
        => message.BufferResponse && message.Response.ContentStream is { CanSeek: false } body ? body : null;

    private static long? DeclaredLength(Response response)
        => response.Headers.ContentLength is { } length and >= 0 ? length : null;
}
