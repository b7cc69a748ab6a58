using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IncidentFunctions.Calendar;

internal static class CalendarServiceCollectionExtensions
{
    public static IServiceCollection AddCalendar(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CalendarOptions, CalendarOptionsValidator>(configuration, CalendarOptions.SectionName);
        services.TryAddSingleton<ReportCalendar>();
        return services;
    }
}
