using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace IncidentFunctions.Enrichment;

internal static class EnrichmentServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<EnrichmentOptions, EnrichmentOptionsAttributes, EnrichmentOptionsValidator>(configuration, EnrichmentOptions.SectionName)
            .Configure(o => o.RefreshSchedule = configuration[AppSettingNames.RefreshIntelSchedule] is { Length: > 0 } s ? s : o.RefreshSchedule);
        services.TryAddTransient<SourceProfileStore>();
        services.TryAddSingleton<IntelSnapshotStore>();
        services.TryAddSingleton<IntelSnapshotProvider>();
        services.TryAddSingleton<SourceProfileCache>();
        services.TryAddSingleton<SourceDayMemo>();
        services.TryAddTransient<IntelRefresher>();
        services.TryAddTransient<SourceEnricher>();

        services.AddHttpClient(IntelDownloader.HttpClientName, http =>
            {
                // Timeouts belong to the resilience pipeline (per attempt and overall), not to HttpClient.
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("IncidentFunctions-RefreshIntel/1.0");
            })
            .AddTypedClient(http => new IntelDownloader(http)) // not the activator, which compiles an expression tree
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.All })
            .AddTimeoutRetryTimeout("intel", static services =>
            {
                var options = services.GetRequiredService<IOptions<EnrichmentOptions>>().Value;
                return new HttpResiliencePlan(options.DownloadTimeout * (options.DownloadRetries + 1), options.DownloadTimeout, new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.DownloadRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromSeconds(2),
                    ShouldRetryAfterHeader = true,
                });
            });

        services.AddSingleton(new ScheduledJob(
            "RefreshIntel",
            AppSettingNames.RefreshIntelSchedule,
            sp => sp.GetRequiredService<IOptions<EnrichmentOptions>>().Value.RefreshSchedule,
            (sp, ct) => sp.GetRequiredService<IntelRefresher>().RunAsync(ct)));
        return services;
    }
}
