using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace IncidentFunctions.AppModel;

/// <summary>The limits and the retry policy of one outbound HTTP client, resolved from its services when its pipeline is built.</summary>
/// <param name="TotalTimeout">Limit for the whole call, retries and their delays included.</param>
/// <param name="AttemptTimeout">Limit for one attempt; an attempt cut by it is an outcome the retry may retry.</param>
/// <param name="Retry">What is retried, how often and after which delay; no retry at all when it allows no attempt.</param>
internal sealed record HttpResiliencePlan(TimeSpan TotalTimeout, TimeSpan AttemptTimeout, HttpRetryStrategyOptions Retry);

internal static partial class HttpResilience
{
    /// <summary>
    /// Adds the resilience handler <paramref name="name"/>: timeout (total) → retry → timeout (per attempt). The attempt
    /// timeout sits inside the retry, so a slow attempt is retried, and the total timeout outside it, so retries and their
    /// delays still end on time. The callers keep <c>HttpClient.Timeout</c> infinite: the pipeline owns the limits.
    /// A retry is logged as one line (<see cref="Retrying"/>) unless the plan logs its own; see <see cref="QuietAttemptTelemetry"/>.
    /// </summary>
    public static IHttpResiliencePipelineBuilder AddTimeoutRetryTimeout(this IHttpClientBuilder client, string name, Func<IServiceProvider, HttpResiliencePlan> plan)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(plan);
        client.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TelemetryOptions>, QuietAttemptTelemetry>());
        var clientName = client.Name;
        return client.AddResilienceHandler(name, (pipeline, context) =>
        {
            var resolved = plan(context.ServiceProvider);
            pipeline.AddTimeout(resolved.TotalTimeout);
            // Polly refuses a retry strategy of zero attempts; zero configured retries means none.
            if (resolved.Retry.MaxRetryAttempts > 0)
            {
                if (resolved.Retry.OnRetry is null)
                {
                    var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpResilience).FullName!);
                    resolved.Retry.OnRetry = args =>
                    {
                        var request = args.Context.GetRequestMessage();
                        Retrying(logger, clientName, request?.Method.Method ?? "?", request?.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.IdnHost : "?", Describe(args.Outcome), args.AttemptNumber + 1, args.RetryDelay);
                        return default;
                    };
                }

                pipeline.AddRetry(resolved.Retry);
            }

            pipeline.AddTimeout(resolved.AttemptTimeout);
        });
    }

    /// <summary>What went wrong with an attempt, in a few words: the status code, or <see cref="FailureText.Describe"/>.</summary>
    internal static string Describe(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result is { } response)
        {
            var status = (int)response.StatusCode;
            return Enum.IsDefined(response.StatusCode) ? $"answered {status} ({response.StatusCode})" : $"answered {status}";
        }

        return outcome.Exception is { } ex ? FailureText.Describe(ex) : "failed";
    }

    // Method and host only: a path can be a secret (a webhook's), and the redactor only knows the secrets it was told.
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "{Client}: {Method} to {Host} {Outcome}; retry {Retry} in {Delay}")]
    internal static partial void Retrying(ILogger logger, string client, string method, string host, string outcome, int retry, TimeSpan delay);
}

/// <summary>
/// Polly logs every failed attempt and every retry itself, at warning level and with the exception, so an unreachable
/// Wallarm or intel host printed two stack traces per attempt (about 500 lines per pull). Those two events are logged
/// at debug level instead; each retry is one line from its client (<see cref="HttpResilience.Retrying"/>, or the
/// client's own), and the caller reports the call that finally failed. Other Polly events keep their severity.
/// </summary>
internal sealed class QuietAttemptTelemetry : IConfigureOptions<TelemetryOptions>
{
    /// <summary>Polly's event names (Polly.Retry and Polly.Telemetry).</summary>
    internal static readonly string[] QuietEvents = ["OnRetry", "ExecutionAttempt"];

    public void Configure(TelemetryOptions options)
    {
        var previous = options.SeverityProvider;
        options.SeverityProvider = args => QuietEvents.Contains(args.Event.EventName, StringComparer.Ordinal)
            ? ResilienceEventSeverity.Debug
            : previous?.Invoke(args) ?? args.Event.Severity;
    }
}
