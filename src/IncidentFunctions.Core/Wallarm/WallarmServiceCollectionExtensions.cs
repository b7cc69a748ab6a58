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
                });
            });
        return services;
    }
}
