using IncidentFunctions.AppModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IncidentFunctions.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.SectionName)
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
        return services;
    }

    private static bool LooksLikeConnectionString(string value)
        => value.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
           || value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase);
}
