using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace IncidentFunctions.AppModel;

/// <summary>The limits and the retry policy of one outbound HTTP client, resolved from its services when its pipeline is built.</summary>
/// <param name="TotalTimeout">Limit for the whole call, retries and their delays included.</param>
/// <param name="AttemptTimeout">Limit for one attempt; an attempt cut by it is an outcome the retry may retry.</param>
/// <param name="Retry">What is retried, how often and after which delay; no retry at all when it allows no attempt.</param>
internal sealed record HttpResiliencePlan(TimeSpan TotalTimeout, TimeSpan AttemptTimeout, HttpRetryStrategyOptions Retry);

internal static class HttpResilience
{
    /// <summary>
    /// Adds the resilience handler <paramref name="name"/>: timeout (total) → retry → timeout (per attempt). The attempt
    /// timeout sits inside the retry, so a slow attempt is retried, and the total timeout outside it, so retries and their
    /// delays still end on time. The callers keep <c>HttpClient.Timeout</c> infinite: the pipeline owns the limits.
    /// </summary>
    public static IHttpResiliencePipelineBuilder AddTimeoutRetryTimeout(this IHttpClientBuilder client, string name, Func<IServiceProvider, HttpResiliencePlan> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return client.AddResilienceHandler(name, (pipeline, context) =>
        {
            var resolved = plan(context.ServiceProvider);
            pipeline.AddTimeout(resolved.TotalTimeout);
            // Polly refuses a retry strategy of zero attempts; zero configured retries means none.
            if (resolved.Retry.MaxRetryAttempts > 0) pipeline.AddRetry(resolved.Retry);
            pipeline.AddTimeout(resolved.AttemptTimeout);
        });
    }
}
