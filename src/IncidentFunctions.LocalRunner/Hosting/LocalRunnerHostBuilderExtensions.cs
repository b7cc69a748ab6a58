using IncidentFunctions.LocalRunner.Http;
using IncidentFunctions.LocalRunner.Queues;
using IncidentFunctions.LocalRunner.Timers;
using IncidentFunctions.Operations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>Hosts the app's functions without the Functions host: timers, queue triggers and HTTP routes.</summary>
public static class LocalRunnerHostBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="HostJsonSettings"/>, the timer and queue services and the function keys, and points Kestrel at
    /// <c>LocalRunner:Urls</c>. Call after the app's composition root (<c>AddIncidentFunctions</c>); then call
    /// <see cref="HttpRouteEndpoints.MapLocalRunnerRoutes"/> on the built app.
    /// </summary>
    public static TBuilder AddLocalRunner<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        builder.AddLogoUpload();
        // host.json's log levels, as the Functions host applies them; a wrong one fails start below (LoadHostJson).
        var hostJson = LocalRunnerOptions.ResolveHostJsonPath(builder.Configuration[$"{LocalRunnerOptions.SectionName}:{nameof(LocalRunnerOptions.HostJsonPath)}"]);
        services.AddHostJsonLogLevels(HostJsonLogLevels.Read(hostJson));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(LoadHostJson);
        services.TryAddSingleton<FunctionKeys>();
        // Request lines carry ?code= keys and signed links: the runner's logs are redacted even without the app's composition root.
        services.AddLogRedaction();
        services.AddSecretSetting($"{LocalRunnerOptions.SectionName}:{nameof(LocalRunnerOptions.FunctionKeys)}:*");
        services.AddHostedService<CronTimerService>();
        services.AddHostedService<QueueListenerHost>();

        // The server reads "urls" from the app's configuration when it starts.
        var urls = builder.Configuration[$"{LocalRunnerOptions.SectionName}:{nameof(LocalRunnerOptions.Urls)}"];
        builder.Configuration[WebHostDefaults.ServerUrlsKey] = string.IsNullOrWhiteSpace(urls) ? LocalRunnerOptions.DefaultUrls : urls;
        return builder;
    }

    /// <summary>
    /// Binds and validates <see cref="LocalRunnerOptions"/> and uploads <see cref="LocalRunnerOptions.LogoFile"/> at start
    /// (<see cref="LogoUpload"/>); part of <see cref="AddLocalRunner"/>, and alone for the demo's host.
    /// </summary>
    public static TBuilder AddLogoUpload<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalRunnerOptions>, LocalRunnerOptionsValidator>());
        services.AddOptions<LocalRunnerOptions>().Bind(builder.Configuration.GetSection(LocalRunnerOptions.SectionName)).ValidateOnStart();
        // First of all hosted services (they start in order, each awaited): the app's report warm-up reads the logo.
        if (!services.Any(d => d.ImplementationType == typeof(LogoUpload))) services.Insert(0, ServiceDescriptor.Singleton<IHostedService, LogoUpload>());
        return builder;
    }

    private static HostJsonSettings LoadHostJson(IServiceProvider services)
    {
        var path = services.GetRequiredService<IOptions<LocalRunnerOptions>>().Value.ResolveHostJsonPath();
        var settings = HostJsonSettings.Load(path);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalRunnerHostBuilderExtensions).FullName!);
        HostingLog.HostJsonLoaded(logger, settings.Source, settings.RoutePrefix, settings.FunctionTimeout ?? Timeout.InfiniteTimeSpan, settings.Queues);
        return settings;
    }
}

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 9100, Level = LogLevel.Information, Message = "Using {HostJson}: routePrefix '{RoutePrefix}', functionTimeout {FunctionTimeout}, queues {Queues}")]
    public static partial void HostJsonLoaded(ILogger logger, string hostJson, string routePrefix, TimeSpan functionTimeout, QueueHostSettings queues);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "No storage is configured (Storage:ConnectionString, AzureWebJobsStorage or Storage:*ServiceUri); started Azurite with data in {DataDirectory}")]
    public static partial void StartedAzurite(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "Uploaded the report logo {File} to {Container}/{Blob} ({Bytes} bytes); reports are drawn again with it")]
    public static partial void LogoUploaded(ILogger logger, string file, string container, string blob, int bytes);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "The report logo {File} was not uploaded to {Blob}; reports keep the logo stored before, if any")]
    public static partial void LogoUploadFailed(ILogger logger, Exception exception, string file, string blob);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "LocalRunner:LogoFile {File} is not uploaded: Reports:LogoBlob is empty, so reports show no logo")]
    public static partial void LogoOff(ILogger logger, string file);
}
