using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Enrichment;

/// <summary>A local stand-in for the intel lists' servers: content set per path, ETag/Last-Modified answered, requests recorded.</summary>
internal sealed class IntelTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Body, int Status, DateTimeOffset LastModified)> _feeds = new(StringComparer.Ordinal);

    private IntelTestServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<(string Path, string IfNoneMatch, string IfModifiedSince, int Status)> Requests { get; } = new();

    public static async Task<IntelTestServer> StartAsync()
    {
        IntelTestServer? server = null;
        var (app, baseAddress) = await LoopbackServer.StartAsync(app => app.MapGet("/{**path}", (HttpContext ctx, string path) => server!.ServeAsync(ctx, path)));
        server = new IntelTestServer(app, baseAddress);
        return server;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    public void Set(string path, byte[] body, int status = 200, DateTimeOffset? lastModified = null)
        => _feeds[path] = (body, status, lastModified ?? new DateTimeOffset(2025, 11, 20, 6, 0, 0, TimeSpan.Zero));

    public void Set(string path, string body, int status = 200) => Set(path, System.Text.Encoding.UTF8.GetBytes(body), status);

    public int CountFor(string path) => Requests.Count(r => r.Path == path);

    private async Task ServeAsync(HttpContext ctx, string path)
    {
        var ifNoneMatch = ctx.Request.Headers.IfNoneMatch.ToString();
        var ifModifiedSince = ctx.Request.Headers.IfModifiedSince.ToString();
        if (!_feeds.TryGetValue(path, out var feed))
        {
            Requests.Enqueue((path, ifNoneMatch, ifModifiedSince, 404));
            ctx.Response.StatusCode = 404;
            return;
        }

        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(feed.Body))[..12] + "\"";
        var status = feed.Status != 200 ? feed.Status
            : ifNoneMatch.Length > 0 && ifNoneMatch.Split(',').Any(t => t.Trim() == etag) ? 304
            : ifNoneMatch.Length == 0 && DateTimeOffset.TryParse(ifModifiedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) && feed.LastModified <= since ? 304
            : 200;
        Requests.Enqueue((path, ifNoneMatch, ifModifiedSince, status));
        ctx.Response.StatusCode = status;
        if (feed.Status != 200) return;
        ctx.Response.Headers.ETag = etag;
        ctx.Response.Headers.LastModified = feed.LastModified.ToString("R", CultureInfo.InvariantCulture);
        if (status == 200) await ctx.Response.Body.WriteAsync(feed.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
