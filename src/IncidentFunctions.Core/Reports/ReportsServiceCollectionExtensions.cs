using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

internal static class ReportsServiceCollectionExtensions
{
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ReportOptions, ReportOptionsAttributes, ReportOptionsValidator>(configuration, ReportOptions.SectionName)
            .Configure(o => o.CsvSnapshotSchedule = configuration[AppSettingNames.CsvSnapshotsSchedule] is { Length: > 0 } s ? s : o.CsvSnapshotSchedule);
        services.TryAddSingleton<ReportCache>();
        services.TryAddSingleton<ReportFreshness<(long Tenant, LocalDate Day)>>();
        services.TryAddSingleton<ReportLinkSigner>();
        services.TryAddSingleton<ReportLogo>();
        services.TryAddTransient<DailyReportBuilder>();
        services.TryAddTransient<DailyReportService>();
        services.TryAddSingleton<ReportDemand>();
        services.AddHttpRoute<DailyReportEndpoint>();
        services.AddHttpRoute<SharedDailyReportEndpoint>();
        services.TryAddTransient<ReportPeriods>();
        services.TryAddSingleton<CsvSnapshotStore>();
        services.TryAddTransient<IncidentCsvExport>();
        services.TryAddTransient<CsvSnapshotJob>();
        services.AddSingleton(new ScheduledJob(
            CsvSnapshotJob.FunctionName,
            AppSettingNames.CsvSnapshotsSchedule,
            sp => sp.GetRequiredService<IOptions<ReportOptions>>().Value.CsvSnapshotSchedule,
            (sp, ct) => sp.GetRequiredService<CsvSnapshotJob>().RunAsync(ct)));
        services.AddHttpRoute<ReportCsvEndpoint>();
        services.AddHttpRoute<SharedReportCsvEndpoint>();
        services.TryAddSingleton<ReportFreshness<(long Tenant, PeriodKind Kind, LocalDate First)>>();
        services.TryAddTransient<PeriodReportBuilder>();
        services.TryAddTransient<PeriodReportService>();
        services.AddHttpRoute<PeriodReportEndpoint>();
        services.AddHttpRoute<SharedPeriodReportEndpoint>();
        services.TryAddTransient<ReportArchive>();
        services.AddHttpRoute<ReportArchiveEndpoint>();
        services.AddHttpRoute<SharedReportArchiveEndpoint>();
        services.AddHostedService<ReportWarmup>();
        return services;
    }
}
