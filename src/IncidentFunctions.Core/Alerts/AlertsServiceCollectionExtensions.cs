using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Alerts;

internal static class AlertsServiceCollectionExtensions
{
    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AlertOptions, AlertOptionsAttributes, AlertOptionsValidator>(configuration, AlertOptions.SectionName)
            .Configure(o => o.Schedule = configuration[AppSettingNames.AlertsSchedule] is { Length: > 0 } s ? s : o.Schedule);
        services.TryAddSingleton<AlertRollupPolicy>();
        services.TryAddTransient<AlertLedger>();
        services.TryAddTransient<AlertCandidates>();
        services.TryAddTransient<AlertPoster>();
        services.TryAddTransient<IncidentAlerts>();

        // Its own short timer, so a roll-up goes out when its interval ends (not with the next pull or digest run)
        // and undelivered alerts are retried within a minute. It does nothing while alerts are off.
        services.AddSingleton(new ScheduledJob(
            "SendAlerts",
            AppSettingNames.AlertsSchedule,
            sp => sp.GetRequiredService<IOptions<AlertOptions>>().Value.Schedule,
            (sp, ct) => sp.GetRequiredService<IncidentAlerts>().DeliverPendingAsync(ct)));
        return services;
    }
}
