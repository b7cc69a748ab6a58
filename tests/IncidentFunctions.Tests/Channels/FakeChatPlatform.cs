using System.Collections.Concurrent;
using System.Net;
using IncidentFunctions.Channels;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Channels;

/// <summary>A POST the fake platform received.</summary>
public sealed record ReceivedPost(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At, IReadOnlyList<string> ShapeErrors);

/// <summary>
/// A local stand-in for one chat platform's webhook (Kestrel on 127.0.0.1, port 0). Every POST is recorded and its
/// body checked against the platform's documented shape and limits (<see cref="PlatformShape"/>); a body that breaks
/// them gets 400, as the real platform would answer. Answers can be scripted per request (429, 5xx, hangs…); when the
/// script is empty it answers like the platform does on success.
/// </summary>
public sealed class FakeChatPlatform : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<ReceivedPost> _received = new();
    private readonly ConcurrentQueue<int> _answers = new();
    private volatile Func<bool>? _down;
    private int _downStatus = 503;

    private FakeChatPlatform(WebApplication app, ChannelKind kind, string secretToken)
    {
        _app = app;
        Kind = kind;
        SecretToken = secretToken;
    }

    public ChannelKind Kind { get; }

    /// <summary>The secret part of the URL, as in <c>hooks.slack.com/services/T…/B…/{token}</c>: must never reach a log.</summary>
    public string SecretToken { get; }

    public Uri BaseAddress { get; private init; } = null!;

    public Uri Url => new(BaseAddress, Kind switch
    {
        ChannelKind.Slack => $"services/T0001/B0001/{SecretToken}",
        ChannelKind.Teams => $"workflows/abc/triggers/manual/paths/invoke?api-version=1&sig={SecretToken}",
        ChannelKind.Discord => $"api/webhooks/123456/{SecretToken}",
        _ => $"incident-hook/{SecretToken}",
    });

    public IReadOnlyList<ReceivedPost> Received => [.. _received];

    /// <summary>The status codes answered, in order (a request the client gave up on before the answer counts as answered).</summary>
    public IReadOnlyList<int> Answers => [.. _answers];

    public static async Task<FakeChatPlatform> StartAsync(ChannelKind kind)
    {
        FakeChatPlatform? platform = null;
        var (app, baseAddress) = await LoopbackServer.StartAsync(app => app.Map("/{**path}", (HttpContext ctx) => platform!.HandleAsync(ctx)));
        platform = new FakeChatPlatform(app, kind, "secret-" + Guid.NewGuid().ToString("N")) { BaseAddress = baseAddress };
        return platform;
    }

    /// <summary>Answers for the next requests, in order.</summary>
    public FakeChatPlatform Then(params Func<HttpContext, Task>[] answers)
    {
        foreach (var answer in answers) _script.Enqueue(answer);
        return this;
    }

    /// <summary>An outage: while <paramref name="down"/> says so (e.g. until a clock time), every POST is answered <paramref name="status"/>.</summary>
    public FakeChatPlatform DownWhile(Func<bool> down, int status = 503)
    {
        _downStatus = status;
        _down = down;
        return this;
    }

    public static Func<HttpContext, Task> Status(int status, string? body = null, string? contentType = null, params (string Name, string Value)[] headers)
        => async context =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            if (body is not null)
            {
                context.Response.ContentType = contentType ?? "text/plain";
                await context.Response.WriteAsync(body);
            }
        };

    /// <summary>Reads the request, then answers nothing for <paramref name="delay"/> (the caller times out first).</summary>
    public static Func<HttpContext, Task> Hang(TimeSpan delay)
        => async context =>
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            context.Response.StatusCode = 200;
        };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await AnswerAsync(context);
        }
        finally
        {
            _answers.Enqueue(context.Response.StatusCode);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var errors = context.Request.Method == "POST" ? PlatformShape.Check(Kind, body) : ["not a POST"];
        _received.Enqueue(new ReceivedPost(
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            DateTimeOffset.UtcNow,
            errors));

        if (_down is { } down && down())
        {
            await Status(_downStatus, "service unavailable")(context);
            return;
        }

        if (_script.TryDequeue(out var answer))
        {
            await answer(context);
            return;
        }

        if (errors.Count > 0)
        {
            await Status(400, string.Join("; ", errors))(context);
            return;
        }

        // What each platform answers on success.
        await (Kind switch
        {
            ChannelKind.Slack => Status(200, "ok"),
            ChannelKind.Teams => Status((int)HttpStatusCode.Accepted),
            ChannelKind.Discord => Status((int)HttpStatusCode.NoContent),
            _ => Status(200, "{\"received\":true}", "application/json"),
        })(context);
    }
}
