using IncidentFunctions.Alerts;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Operations;
using IncidentFunctions.Reports;
using IncidentFunctions.Retention;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Hosting;

/// <summary>The one composition root: the Functions app, the local runner and the tests all call it.</summary>
public static class IncidentFunctionsHostBuilderExtensions
{
    public static TBuilder AddIncidentFunctions<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Bottom to top, as the folders depend on each other (tests/…/Architecture/LayerTests.cs).
        services.TryAddSingleton(TimeProvider.System);
        services.AddCalendar(configuration);
        services.AddStorage(configuration);
        services.AddWallarm(configuration);
        services.AddIncidents(configuration);
        services.AddEnrichment(configuration);
        services.AddReports(configuration);
        services.AddRetention(configuration);
        services.AddChannels(configuration);
        services.AddDigest(configuration);
        services.AddAlerts(configuration);
        services.AddOperations(configuration);
        AddCrossFeatureJobs(services);
        return builder;
    }

    /// <summary>The jobs that span features, composed here so no feature calls one above it.</summary>
    private static void AddCrossFeatureJobs(IServiceCollection services)
    {
        services.TryAddTransient<EnrichSourcesJob>();
        services.AddSingleton(new QueueJob(
            "EnrichSources",
            AppSettingNames.EnrichmentQueueName,
            sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.EnrichmentQueueName,
            (sp, message, ct) => sp.GetRequiredService<EnrichSourcesJob>().RunAsync(message, ct)));
    }
}
