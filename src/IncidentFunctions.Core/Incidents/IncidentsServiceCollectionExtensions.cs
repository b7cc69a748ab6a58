using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Incidents;

internal static class IncidentsServiceCollectionExtensions
{
    public static IServiceCollection AddIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<IngestionOptions, IngestionOptionsAttributes, IngestionOptionsValidator>(configuration, IngestionOptions.SectionName)
            .Configure(o => o.Schedule = configuration[AppSettingNames.PullIncidentsSchedule] is { Length: > 0 } s ? s : o.Schedule);
        services.TryAddSingleton<VulnerabilityCatalog>();
        services.TryAddTransient<IncidentStore>();
        services.TryAddTransient<CheckpointStore>();
        services.TryAddTransient<CoverageLog>();
        services.TryAddTransient<RecordQuarantine>();
        services.TryAddTransient<EnrichmentPublisher>();
        services.TryAddTransient<IncidentPuller>();
        services.AddSingleton(new ScheduledJob(
            "PullIncidents",
            AppSettingNames.PullIncidentsSchedule,
            sp => sp.GetRequiredService<IOptions<IngestionOptions>>().Value.Schedule,
            (sp, ct) => sp.GetRequiredService<IncidentPuller>().RunAsync(ct)));
        return services;
    }
}
