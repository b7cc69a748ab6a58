using IncidentFunctions.AppModel;
using IncidentFunctions.Incidents;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

/// <summary>Running the app in production: telemetry, start-up checks on platform settings, the status endpoint.</summary>
internal static class OperationsServiceCollectionExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogRedaction();
        services.AddTelemetry(configuration);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyVaultReferenceCheck>, KeyVaultReferenceValidator>());
        services.AddOptions<KeyVaultReferenceCheck>().ValidateOnStart();

        services.TryAddTransient<IngestionStatusReader>();
        services.TryAddTransient<IntelHealthReader>();
        services.AddHttpRoute<StatusEndpoint>();
        services.AddHttpRoute<DigestStatusEndpoint>();
        return services;
    }
}
