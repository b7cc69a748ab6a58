using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Retention;

internal static class RetentionServiceCollectionExtensions
{
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RetentionOptions, RetentionOptionsAttributes, RetentionOptionsValidator>(configuration, RetentionOptions.SectionName)
            .Configure(o => o.Schedule = configuration[AppSettingNames.RetentionSchedule] is { Length: > 0 } s ? s : o.Schedule);
        services.TryAddTransient<RetentionJob>();
        services.AddSingleton(new ScheduledJob(
            RetentionJob.FunctionName,
            AppSettingNames.RetentionSchedule,
            sp => sp.GetRequiredService<IOptions<RetentionOptions>>().Value.Schedule,
            (sp, ct) => sp.GetRequiredService<RetentionJob>().RunAsync(ct)));
        return services;
    }
}
