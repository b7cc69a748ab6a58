using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Digest;

internal static class DigestServiceCollectionExtensions
{
    public static IServiceCollection AddDigest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DigestOptions, DigestOptionsAttributes, DigestOptionsValidator>(configuration, DigestOptions.SectionName)
            .Configure(o => o.Schedule = configuration[AppSettingNames.DailyDigestSchedule] is { Length: > 0 } s ? s : o.Schedule);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DigestOptions>, DigestReportSettingsValidator>());
        services.TryAddSingleton<DigestSchedule>();
        services.TryAddTransient<DeliveryLedger>();
        services.TryAddTransient<DigestComposer>();
        services.TryAddTransient<DigestReportPublisher>();
        services.TryAddTransient<DigestSender>();
        services.TryAddTransient<DigestPreview>();
        services.AddSingleton(new ScheduledJob(
            "SendDailyDigest",
            AppSettingNames.DailyDigestSchedule,
            sp => sp.GetRequiredService<IOptions<DigestOptions>>().Value.Schedule,
            (sp, ct) => sp.GetRequiredService<DigestSender>().RunAsync(ct)));
        return services;
    }
}
