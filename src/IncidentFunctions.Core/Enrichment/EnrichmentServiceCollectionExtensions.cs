using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IncidentFunctions.Enrichment;

internal static class EnrichmentServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichment(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.TryAddTransient<EnrichmentPublisher>();
        services.TryAddTransient<SourceProfileStore>();
        return services;
    }
}
