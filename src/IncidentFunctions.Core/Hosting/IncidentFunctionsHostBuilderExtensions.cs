using IncidentFunctions.Digest;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace IncidentFunctions.Hosting;

/// <summary>The one composition root: the Functions app, the local runner and the tests all call it.</summary>
public static class IncidentFunctionsHostBuilderExtensions
{
    public static TBuilder AddIncidentFunctions<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.TryAddSingleton(TimeProvider.System);
        services.AddStorage(configuration);
        services.AddWallarm(configuration);
        services.AddReports(configuration);
        services.AddIncidents(configuration);
        services.AddEnrichment(configuration);
        services.AddDigest(configuration);
        services.AddOperations(configuration);
        return builder;
    }
}
