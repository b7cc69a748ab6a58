using System.Net;
using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace IncidentFunctions.Channels;

internal static class ChannelsServiceCollectionExtensions
{
    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DeliveryOptions, DeliveryOptionsAttributes, DeliveryOptionsValidator>(configuration, DeliveryOptions.SectionName);
        services.TryAddTransient<ChannelHealth>();
        services.TryAddTransient<EmailClient>();
        AddWebhookClient(services);
        return services;
    }

    private static void AddWebhookClient(IServiceCollection services)
    {
        var client = services.AddHttpClient(ChatWebhookClient.HttpClientName, http =>
            {
                // Timeouts belong to the resilience pipeline (per attempt and overall).
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddTypedClient(http => new ChatWebhookClient(http)) // not the activator, which compiles an expression tree
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect would re-send the message somewhere the configuration did not name.
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            // The default HttpClient logging writes the request URI, and a webhook URL is a secret. The client logs
            // its own lines with the channel name and host instead.
            .RemoveAllLoggers();
        client.AddTimeoutRetryTimeout("chat-webhooks", static services =>
            {
                var options = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
                var time = services.GetRequiredService<TimeProvider>();
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChatWebhookClient).FullName!);
                return new HttpResiliencePlan(options.TotalTimeout, options.AttemptTimeout, new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryBaseDelay,
                        MaxDelay = options.RetryMaxDelay,
                        ShouldRetryAfterHeader = false, // handled below, together with Discord's retry_after body
                        ShouldHandle = args => ShouldRetryAsync(args.Context, args.Outcome, options, time),
                        DelayGenerator = args => RetryDelayAsync(args.Outcome, time),
                        OnRetry = args =>
                        {
                            var trace = Trace(args.Context);
                            var outcome = args.Outcome.Result is { } r ? $"answered {(int)r.StatusCode}"
                                : args.Outcome.Exception is TimeoutRejectedException ? "timed out"
                                : args.Outcome.Exception is { } ex && ChatWebhookClient.NotSent(ex) ? "could not connect"
                                : "lost the connection";
                            ChannelsLog.Retrying(logger, trace?.Channel ?? "?", trace?.Host ?? "?", outcome, args.AttemptNumber + 1, args.RetryDelay);
                            return default;
                        },
                    });
            });

        // Innermost, so they see every attempt.
        client.AddHttpMessageHandler(() => new DeliveryTraceHandler());
        client.AddHttpMessageHandler(sp => new WebhookSigningHandler(sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// Retries what cannot have been posted — 429 (the platform refused it), failures to connect — and 5xx and 408.
    /// A request that was sent but not answered (timeout, dropped connection) is retried only when its receiver
    /// deduplicates (Generic); a wait asked for beyond <see cref="DeliveryOptions.RetryMaxDelay"/> ends the delivery.
    /// </summary>
    private static async ValueTask<bool> ShouldRetryAsync(ResilienceContext context, Outcome<HttpResponseMessage> outcome, DeliveryOptions options, TimeProvider time)
    {
        var trace = Trace(context);
        if (outcome.Result is { } response)
        {
            var status = (int)response.StatusCode;
            if (status != (int)HttpStatusCode.TooManyRequests && status != (int)HttpStatusCode.RequestTimeout && status < 500) return false;
            if (await ChatWebhookClient.RequestedDelayAsync(response, time.GetUtcNow()).ConfigureAwait(false) is { } wait && wait > options.RetryMaxDelay)
            {
                if (trace is not null) trace.GaveUpOnRetryAfter = wait;
                return false;
            }

            return true;
        }

        return outcome.Exception switch
        {
            null => false,
            OperationCanceledException when context.CancellationToken.IsCancellationRequested => false,
            var ex when ChatWebhookClient.NotSent(ex) => true,
            HttpRequestException or TimeoutRejectedException or IOException => trace is { Idempotent: true } || (trace is not null && !trace.LastUnanswered),
            _ => false,
        };
    }

    private static async ValueTask<TimeSpan?> RetryDelayAsync(Outcome<HttpResponseMessage> outcome, TimeProvider time)
        => outcome.Result is { } response ? await ChatWebhookClient.RequestedDelayAsync(response, time.GetUtcNow()).ConfigureAwait(false) : null;

    private static DeliveryTrace? Trace(ResilienceContext context)
        => context.GetRequestMessage() is { } request && request.Options.TryGetValue(ChatWebhookClient.TraceKey, out var trace) ? trace : null;
}
