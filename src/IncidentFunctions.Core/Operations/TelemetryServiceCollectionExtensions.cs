using System.Reflection;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IncidentFunctions.Operations;

/// <summary>What the app exports telemetry to; shown by the status endpoint.</summary>
/// <param name="Enabled">Whether the Azure Monitor exporter is registered.</param>
/// <param name="Authentication"><c>off</c>, <c>instrumentation-key</c>, <c>entra-id</c> or <c>entra-id (user-assigned)</c>.</param>
public sealed record TelemetryExport(bool Enabled, string Authentication)
{
    public static readonly TelemetryExport Off = new(false, "off");
}

/// <summary>
/// OpenTelemetry to Application Insights (Azure Monitor exporter), for the Functions worker and the local runner alike:
/// on only when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set; with Entra ID when
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says <c>Authorization=AAD</c>, as Application Insights with local
/// auth disabled requires, through the app's one credential (the managed identity the storage clients use too).
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The Functions worker's invocation spans (the host sends the request telemetry itself).</summary>
    internal const string FunctionsWorkerSource = "Microsoft.Azure.Functions.Worker";

    internal static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.AddOptions<TelemetryOptions>()
            .Configure(o =>
            {
                o.ConnectionString = configuration[AppSettingNames.ApplicationInsightsConnectionString];
                o.AuthenticationString = configuration[AppSettingNames.ApplicationInsightsAuthenticationString];
            })
            .ValidateOnStart();

        // One credential for storage and telemetry: the identity the telemetry setting names is the app's identity when
        // no storage setting names one (a different one fails start, see TelemetryOptionsValidator).
        services.AddOptions<StorageOptions>().Configure(o =>
        {
            if (StorageServiceCollectionExtensions.ManagedIdentityClientId(o, configuration) is null
                && TelemetryAuthentication.TryParse(configuration[AppSettingNames.ApplicationInsightsAuthenticationString], out _) is { ClientId: { } clientId })
            {
                o.ManagedIdentityClientId = clientId;
            }
        });

        // Unusable settings register no exporter: TelemetryOptionsValidator fails start naming the setting instead.
        var connectionString = configuration[AppSettingNames.ApplicationInsightsConnectionString];
        var authentication = TelemetryAuthentication.TryParse(configuration[AppSettingNames.ApplicationInsightsAuthenticationString], out _);
        if (string.IsNullOrWhiteSpace(connectionString) || !TelemetryOptionsValidator.HasInstrumentationKey(connectionString) || authentication is null)
        {
            services.TryAddSingleton(TelemetryExport.Off);
            return services;
        }
        services.TryAddSingleton(new TelemetryExport(true, Describe(authentication)));

        // HttpClient's own request logs carry full URLs, and chat webhook URLs are secrets: keep them out of the export
        // (host.json does the same for the host's logs).
        services.AddLogging(logging => logging.AddFilter<OpenTelemetryLoggerProvider>("System.Net.Http.HttpClient", LogLevel.Warning));

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: Assembly.GetEntryAssembly()?.GetName().Name ?? "IncidentFunctions",
                serviceNamespace: "IncidentFunctions"))
            .WithTracing(tracing => tracing
                .AddSource(FunctionsWorkerSource)
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    if (request.RequestUri is { } uri) activity.SetTag("url.full", TelemetryUrls.Redact(uri));
                }))
            .WithMetrics(metrics => metrics.AddHttpClientInstrumentation())
            .UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = connectionString;
                // The Functions host already feeds Live Metrics; a second stream from the worker only adds polling.
                exporter.EnableLiveMetrics = false;
            });
        if (authentication.UseEntraId)
        {
            services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((exporter, credential) => exporter.Credential = credential);
        }

        return services;
    }

    /// <summary>
    /// Lets a host add its own OpenTelemetry defaults (the Functions worker's resource and invocation tracing) only
    /// when export is on. Call after <c>AddIncidentFunctions</c>.
    /// </summary>
    public static IServiceCollection ConfigureTelemetry(this IServiceCollection services, Action<OpenTelemetryBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var export = services.LastOrDefault(d => d.ServiceType == typeof(TelemetryExport))?.ImplementationInstance as TelemetryExport;
        if (export is { Enabled: true }) configure(services.AddOpenTelemetry());
        return services;
    }

    private static string Describe(TelemetryAuthentication authentication) => authentication switch
    {
        { UseEntraId: false } => "instrumentation-key",
        { ClientId: not null } => "entra-id (user-assigned)",
        _ => "entra-id",
    };
}
