using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.DevServices;

/// <summary>Starts Azurite for <c>serve</c> when no storage is configured, persisting under <c>&lt;repo&gt;/.azurite</c>.</summary>
internal static class DevStorage
{
    public const string DataDirectoryName = ".azurite";

    private static readonly string[] StorageKeys =
    [
        $"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}",
        AppSettingNames.AzureWebJobsStorage,
        $"{StorageOptions.SectionName}:{nameof(StorageOptions.TableServiceUri)}",
        $"{StorageOptions.SectionName}:{nameof(StorageOptions.QueueServiceUri)}",
        $"{StorageOptions.SectionName}:{nameof(StorageOptions.BlobServiceUri)}",
    ];

    public static bool IsStorageConfigured(IConfiguration configuration)
        => StorageKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));

    /// <summary>
    /// Starts Azurite and sets <c>Storage:ConnectionString</c> when no storage setting is present; otherwise returns
    /// <see langword="null"/>. The caller disposes the process after the host stops.
    /// </summary>
    public static async Task<AzuriteProcess?> StartIfUnconfiguredAsync(IConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        if (IsStorageConfigured(configuration)) return null;

        var root = RepositoryLayout.FindRoot(configuration[HostDefaults.ContentRootKey]) ?? throw NotConfiguredOutsideCheckout();
        var dataDirectory = Path.Combine(root, DataDirectoryName);
        var azurite = await AzuriteProcess.StartAsync(root, dataDirectory, logger, cancellationToken).ConfigureAwait(false);
        configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}"] = azurite.ConnectionString;
        HostingLog.StartedAzurite(logger, dataDirectory);
        return azurite;
    }

    /// <summary>
    /// No storage setting and no checkout to start Azurite from (a published runner run elsewhere): a settings mistake,
    /// which the runner reports in one line naming the settings.
    /// </summary>
    internal static OptionsValidationException NotConfiguredOutsideCheckout()
        => new(StorageOptions.SectionName, typeof(StorageOptions),
        [
            "No storage is configured and Azurite can only be started from a checkout of the repository: set Storage:ConnectionString "
            + "(or AzureWebJobsStorage), or Storage:TableServiceUri, Storage:QueueServiceUri and Storage:BlobServiceUri with a managed identity.",
        ]);
}
