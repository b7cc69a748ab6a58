using System.Net;
using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace IncidentFunctions.Wallarm;

internal static class WallarmServiceCollectionExtensions
{
    public static IServiceCollection AddWallarm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<WallarmOptions, WallarmOptionsAttributes, WallarmOptionsValidator>(configuration, WallarmOptions.SectionName);
        services.TryAddSingleton<WallarmTenant>();
        // Typed clients are made by a factory: the default activator compiles an expression tree (and loads
        // System.Linq.Expressions) the first time each type is made.
        services.AddHttpClient(WallarmClient.HttpClientName, (sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<WallarmOptions>>().Value;
                http.BaseAddress = options.ResolveApiBaseAddress();
                // Timeouts belong to the resilience pipeline (per attempt and overall), not to HttpClient.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddTypedClient((http, sp) => new WallarmClient(http, sp.GetRequiredService<IOptions<WallarmOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WallarmClient>>()))
            .RedactLoggedHeaders([WallarmClient.TokenHeader])
            .AddTimeoutRetryTimeout("wallarm", static services =>
            {
                var options = services.GetRequiredService<IOptions<WallarmOptions>>().Value;
                // Retries 408, 429, 5xx, transport errors and attempt timeouts; never 401/403. Retry-After wins.
                return new HttpResiliencePlan(options.TotalTimeout, options.AttemptTimeout, new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                    MaxDelay = options.RetryMaxDelay,
                    ShouldRetryAfterHeader = true,
                    // A part of a page read in parts is asked once: its 500 names a record to skip, not an outage.
                    ShouldHandle = static args => args.Context.GetRequestMessage() is { } request
                        && request.Options.TryGetValue(WallarmClient.NoRetryOn500, out var noRetry) && noRetry
                        && args.Outcome.Result?.StatusCode == HttpStatusCode.InternalServerError
                            ? PredicateResult.False()
                            : new ValueTask<bool>(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                });
            });
        return services;
    }
}
