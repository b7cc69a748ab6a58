using System.Net;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Text;
using Polly.Timeout;

namespace IncidentFunctions.Channels;

/// <summary>How a webhook POST ended.</summary>
public enum DeliveryResult
{
    /// <summary>The platform answered 2xx: the message is posted.</summary>
    Delivered,

    /// <summary>The platform refused it or could not be reached (4xx, 429 or 5xx after retries, no connection): not posted.</summary>
    Failed,

    /// <summary>The request was sent but no answer came (timeout, connection dropped): it may or may not have been posted.</summary>
    Unknown,
}

/// <param name="Error">What went wrong, safe to log and store: never the URL.</param>
public sealed record DeliveryOutcome(DeliveryResult Result, int? StatusCode, int Attempts, string? Error);

/// <summary>
/// Posts rendered payloads to chat webhooks (typed client; retries, timeouts and <c>Retry-After</c> live in its
/// resilience pipeline, see <see cref="ChannelsServiceCollectionExtensions"/>). Webhook POSTs are not idempotent:
/// a request that was sent but not answered is retried only for Generic channels, whose receivers deduplicate on the
/// delivery id; for Slack, Teams and Discord it ends as <see cref="DeliveryResult.Unknown"/> rather than risk a
/// duplicate post. Generic deliveries are signed per attempt (<see cref="WebhookSigningHandler"/>). The URL never
/// reaches a log line, an exception message or the ledger.
/// </summary>
public sealed class ChatWebhookClient(HttpClient http)
{
    public const string HttpClientName = "chat-webhooks";
    internal static readonly HttpRequestOptionsKey<DeliveryTrace> TraceKey = new("IncidentFunctions.DeliveryTrace");
    private const int MaxErrorChars = 200;

    public async Task<DeliveryOutcome> PostAsync(ChannelOptions channel, ChatPayload payload, string deliveryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(payload);
        var url = channel.Url ?? throw new InvalidOperationException($"Channel '{channel.Name}' has no URL.");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(payload.Json, Encoding.UTF8, "application/json"),
        };
        var trace = new DeliveryTrace(channel.Name, url.Host, Idempotent: channel.Kind == ChannelKind.Generic);
        request.Options.Set(TraceKey, trace);
        if (channel.Kind == ChannelKind.Generic)
        {
            // Timestamp and signature are added per attempt, inside the retries: a retry must not carry a stale timestamp.
            request.Options.Set(WebhookSigningHandler.SignatureKey, new WebhookSignature(channel.Secret!, payload.Json));
            request.Headers.Add(WebhookSigner.DeliveryHeader, deliveryId);
            request.Headers.Add(WebhookSigner.IdempotencyHeader, deliveryId);
        }

        try
        {
            // Headers only: a 2xx status means posted, even if reading the rest of the answer fails afterwards.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return new DeliveryOutcome(DeliveryResult.Delivered, (int)response.StatusCode, trace.Attempts, null);
            var error = $"HTTP {(int)response.StatusCode}{Detail(await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false))}{(trace.GaveUpOnRetryAfter is { } wait ? $"; the platform asked to wait {wait}" : "")}";
            return new DeliveryOutcome(trace.AnyUnanswered ? DeliveryResult.Unknown : DeliveryResult.Failed, (int)response.StatusCode, trace.Attempts, error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // shutdown: the ledger keeps the delivery as "attempting" and the next run treats it as unknown
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException or IOException)
        {
            // The message names no URL: HttpRequestException carries at most host:port, Polly's timeout none.
            var what = ex is TimeoutRejectedException or OperationCanceledException ? "no answer in time" : UntrustedText.Sanitize(ex.Message, MaxErrorChars);
            var result = trace.AnyUnanswered ? DeliveryResult.Unknown : DeliveryResult.Failed;
            return new DeliveryOutcome(result, null, trace.Attempts, result == DeliveryResult.Unknown ? $"sent but not answered ({what})" : $"not sent ({what})");
        }
    }

    private static string Detail(string text) => text.Length == 0 ? "" : ": " + text;

    /// <summary>The head of an error answer (Slack and Discord explain refusals there), bounded in size and time.</summary>
    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            var buffer = new byte[4_096];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cts.Token).ConfigureAwait(false)) > 0) read += n;
            return UntrustedText.Sanitize(Encoding.UTF8.GetString(buffer, 0, read), MaxErrorChars);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "";
        }
    }

    /// <summary>True when the request certainly never reached the server, so sending it again cannot duplicate it.</summary>
    internal static bool NotSent(Exception exception)
        => exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError };

    /// <summary>
    /// The wait a 429 or 503 asks for: Discord's body <c>retry_after</c> (seconds, fractional) when present, else the
    /// <c>Retry-After</c> header (seconds or an HTTP date).
    /// </summary>
    internal static async ValueTask<TimeSpan?> RequestedDelayAsync(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && response.Content.Headers.ContentLength is null or < 16_384)
        {
            try
            {
                await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("retry_after", out var retryAfter)
                    && retryAfter.TryGetDouble(out var seconds) && seconds is >= 0 and < 86_400)
                {
                    return TimeSpan.FromSeconds(seconds);
                }
            }
            catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or InvalidOperationException)
            {
                // Not the JSON we know: fall back to the header.
            }
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}

/// <summary>What happened to one delivery across its attempts; travels with the request through the pipeline.</summary>
internal sealed record DeliveryTrace(string Channel, string Host, bool Idempotent)
{
    public int Attempts { get; set; }

    /// <summary>Some attempt was sent and got no answer: it may have been posted.</summary>
    public bool AnyUnanswered { get; set; }

    public bool LastUnanswered { get; set; }

    /// <summary>Set when a 429/503 asked for a longer wait than <c>Digest:RetryMaxDelay</c>.</summary>
    public TimeSpan? GaveUpOnRetryAfter { get; set; }
}

/// <summary>Innermost handler: counts attempts and notes the ones that were sent but not answered.</summary>
internal sealed class DeliveryTraceHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(ChatWebhookClient.TraceKey, out var trace);
        if (trace is not null)
        {
            trace.Attempts++;
            trace.LastUnanswered = false;
        }

        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (trace is not null && !ChatWebhookClient.NotSent(ex))
        {
            trace.AnyUnanswered = true;
            trace.LastUnanswered = true;
            throw;
        }
    }
}
