using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace IncidentFunctions.Hosting;

/// <summary>The one composition root: the Functions app, the local runner and the tests all call it.</summary>
public static class IncidentFunctionsHostBuilderExtensions
{
    public static TBuilder AddIncidentFunctions<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.TryAddSingleton(TimeProvider.System);

        AddValidatedOptions<WallarmOptions, WallarmOptionsValidator>(services, configuration, WallarmOptions.SectionName);
        AddValidatedOptions<ReportOptions, ReportOptionsValidator>(services, configuration, ReportOptions.SectionName);
        AddValidatedOptions<IngestionOptions, IngestionOptionsValidator>(services, configuration, IngestionOptions.SectionName)
            .Configure(o => o.Schedule = configuration[AppSettingNames.PullIncidentsSchedule] is { Length: > 0 } s ? s : o.Schedule);
        AddValidatedOptions<StorageOptions, StorageOptionsValidator>(services, configuration, StorageOptions.SectionName)
            .Configure(o =>
            {
                o.EnrichmentQueueName = configuration[AppSettingNames.EnrichmentQueueName] is { Length: > 0 } q ? q : o.EnrichmentQueueName;
                if (string.IsNullOrWhiteSpace(o.ConnectionString) && o.TableServiceUri is null
                    && configuration[AppSettingNames.AzureWebJobsStorage] is { } hostStorage && LooksLikeConnectionString(hostStorage))
                {
                    o.ConnectionString = hostStorage;
                }
            });

        services.TryAddSingleton<StorageClients>();
        services.TryAddSingleton<ReportCalendar>();
        services.TryAddSingleton<WallarmTenant>();
        services.TryAddSingleton<VulnerabilityCatalog>();
        services.TryAddTransient<IncidentStore>();
        services.TryAddTransient<CheckpointStore>();
        services.TryAddTransient<CoverageLog>();
        services.TryAddTransient<EnrichmentPublisher>();
        services.TryAddTransient<IncidentPuller>();

        AddWallarmClient(services);

        services.AddSingleton(new ScheduledJob(
            "PullIncidents",
            AppSettingNames.PullIncidentsSchedule,
            sp => sp.GetRequiredService<IOptions<IngestionOptions>>().Value.Schedule,
            (sp, ct) => sp.GetRequiredService<IncidentPuller>().RunAsync(ct)));

        return builder;
    }

    private static void AddWallarmClient(IServiceCollection services)
    {
        services.AddHttpClient<WallarmClient>(WallarmClient.HttpClientName, (sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<WallarmOptions>>().Value;
                http.BaseAddress = options.ResolveApiBaseAddress();
                // Timeouts belong to the resilience pipeline (per attempt and overall), not to HttpClient.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RedactLoggedHeaders([WallarmClient.TokenHeader])
            .AddResilienceHandler("wallarm", static (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<WallarmOptions>>().Value;
                pipeline.AddTimeout(options.TotalTimeout);
                if (options.MaxRetries > 0)
                {
                    // Retries 408, 429, 5xx, transport errors and attempt timeouts; never 401/403. Retry-After wins.
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryBaseDelay,
                        MaxDelay = options.RetryMaxDelay,
                        ShouldRetryAfterHeader = true,
                    });
                }

                pipeline.AddTimeout(options.AttemptTimeout);
            });
    }

    private static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    private static bool LooksLikeConnectionString(string value)
        => value.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
           || value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase);
}
