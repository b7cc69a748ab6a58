using IncidentFunctions.AppModel;
using IncidentFunctions.Channels;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Operations;

public static class LogRedactionServiceCollectionExtensions
{
    /// <summary>The app's settings that hold secrets; a host adds its own with <see cref="AddSecretSetting"/>.</summary>
    internal static readonly string[] AppSecretSettings =
    [
        $"{WallarmOptions.SectionName}:{nameof(WallarmOptions.ApiToken)}",
        $"{ReportOptions.SectionName}:{nameof(ReportOptions.SigningKeys)}:*",
        $"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Channels)}:*:{nameof(ChannelOptions.Url)}",
        $"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Channels)}:*:{nameof(ChannelOptions.Secret)}",
        $"{DeliveryOptions.SectionName}:{nameof(DeliveryOptions.Channels)}:*:{nameof(ChannelOptions.Email)}:{nameof(EmailOptions.Password)}",
        $"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}",
        AppSettingNames.AzureWebJobsStorage,
        AppSettingNames.ApplicationInsightsConnectionString,
    ];

    private static readonly object InnerFactoryKey = new();

    /// <summary>Marks the values of <paramref name="keyPattern"/> (<c>*</c> = one path segment) as secrets to keep out of logs.</summary>
    public static IServiceCollection AddSecretSetting(this IServiceCollection services, string keyPattern)
    {
        services.AddSingleton(new SecretSetting(keyPattern));
        return services;
    }

    /// <summary>
    /// Puts <see cref="SecretRedactor"/> between every logger and every log provider, by wrapping the registered
    /// <see cref="ILoggerFactory"/> (kept as a keyed service the container still builds and disposes). Call it again
    /// (a host on its own, the runner) and nothing more happens.
    /// </summary>
    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(SecretRedactor))) return services;
        foreach (var key in AppSecretSettings) services.AddSecretSetting(key);
        services.AddSingleton(sp => new SecretRedactor(sp.GetServices<SecretSetting>(), sp.GetService<IConfiguration>()));

        var original = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService)
            ?? ServiceDescriptor.Singleton<ILoggerFactory, LoggerFactory>();
        services.RemoveAll<ILoggerFactory>();
        services.Add(original switch
        {
            { ImplementationType: { } type } => new ServiceDescriptor(typeof(ILoggerFactory), InnerFactoryKey, type, ServiceLifetime.Singleton),
            { ImplementationFactory: { } factory } => new ServiceDescriptor(typeof(ILoggerFactory), InnerFactoryKey, (sp, _) => factory(sp), ServiceLifetime.Singleton),
            _ => new ServiceDescriptor(typeof(ILoggerFactory), InnerFactoryKey, original.ImplementationInstance!),
        });
        services.AddSingleton<ILoggerFactory>(sp => new RedactingLoggerFactory(sp.GetRequiredKeyedService<ILoggerFactory>(InnerFactoryKey), sp.GetRequiredService<SecretRedactor>()));
        return services;
    }
}
