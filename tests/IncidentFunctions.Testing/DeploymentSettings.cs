using IncidentFunctions.AppModel;

namespace IncidentFunctions.Testing;

/// <summary>
/// How the app's configuration maps onto the Azure deployment (infra/). The infra tests derive every key the app reads
/// from the validated options classes, <see cref="AppSettingNames"/> and functions.metadata, and require each one to be
/// set by <c>infra/app/function-app.bicep</c> unless it is listed in <see cref="LeftUnset"/>; and they require every
/// setting the template sets to be read by the app or listed in <see cref="Platform"/>. Adding an option therefore
/// means choosing here or in the template, and the failing test says which.
/// </summary>
public static class DeploymentSettings
{
    private const string Tuning = "tuning with a default that fits; add an app setting in Azure only to change it";

    /// <summary>Settings the platform or an SDK reads (not the app's options) that Azure needs; value: who reads it.</summary>
    public static IReadOnlyDictionary<string, string> Platform { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage__credential"] = "Functions host: connect to its storage with a managed identity",
        ["AzureWebJobsStorage__clientId"] = "Functions host: which user-assigned identity",
        ["AzureWebJobsStorage__blobServiceUri"] = "Functions host: leases, timer status, function keys",
        ["AzureWebJobsStorage__queueServiceUri"] = "Functions host: queue triggers",
        ["AzureWebJobsStorage__tableServiceUri"] = "Functions host: table-backed host features",
        [AppSettingNames.AzureClientId] = "DefaultAzureCredential (Azure SDK): the user-assigned identity's client id",
    };

    /// <summary>
    /// The GC setting the template adds on the smallest (512 MB) instances, read by the .NET runtime at process start;
    /// the report benchmarks' fresh processes run with it, as there: otherwise the youngest generation is sized from the
    /// CPU's cache and a report's peak memory follows the host's hardware.
    /// </summary>
    public static KeyValuePair<string, string> YoungGenerationBudget { get; } = new("DOTNET_GCgen0size", "0x600000");

    /// <summary>Keys the app reads that the Azure deployment deliberately leaves unset; value: why.</summary>
    public static IReadOnlyDictionary<string, string> LeftUnset { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [AppSettingNames.AzureWebJobsStorage] = "a connection string; Azure uses the identity-based AzureWebJobsStorage__* settings",
        ["Storage__ConnectionString"] = "local/Azurite only; the Azure account has shared keys disabled",
        ["Storage__TablePrefix"] = "lets tests and side-by-side installs share an account; Azure has one app per account",
        ["Storage__IncidentsTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__CheckpointsTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__CoverageTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__VulnerabilitiesTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__QuarantineTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__SourcesTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__SourceCacheTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__ChangeMarksTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__ReportsContainer"] = "default name; infra/main.bicep creates the containers under their default names",
        ["Enrichment__SnapshotContainer"] = "default name; infra/main.bicep creates the containers under their default names",
        ["Enrichment__UseDefaultSources"] = "the npm data files; absent from a deployed package and skipped (optional), the public feeds replace them",
        ["Enrichment__SimulatorFeeds"] = "local demo and tests only: points the sources at the Wallarm simulator",
        ["Enrichment__Sources"] = "extra sources (a MaxMind database, Azure Service Tags with this week's URL, IPsum…); add when you have them",
        ["Enrichment__CacheTtl"] = Tuning,
        ["Enrichment__TorTolerance"] = Tuning,
        ["Enrichment__TorHistory"] = Tuning,
        ["Enrichment__StaleAfter"] = Tuning,
        ["Enrichment__MaxShrink"] = Tuning,
        ["Enrichment__SnapshotsKept"] = Tuning,
        ["Enrichment__SnapshotCheckInterval"] = Tuning,
        ["Enrichment__DownloadTimeout"] = Tuning,
        ["Enrichment__DownloadRetries"] = Tuning,
        ["Enrichment__MemoryCacheSize"] = Tuning,
        ["Reports__Title"] = Tuning,
        ["Reports__LogoBlob"] = "the logo is a file uploaded to the reports container (branding/logo.png by default), not a setting",
        ["Reports__IncidentOrder"] = Tuning,
        ["Reports__Layout"] = Tuning,
        ["Reports__PageSize"] = Tuning,
        ["Reports__RetentionDays"] = Tuning,
        ["Retention__RunBudget"] = Tuning,
        ["Retention__Enabled"] = "on by default (PurgeExpiredData deletes what is past Reports__RetentionDays); set it to false in Azure to keep every stored day",
        ["Reports__TopRows"] = Tuning,
        ["Reports__OngoingWindow"] = Tuning,
        ["Reports__CacheRevalidateAfter"] = Tuning,
        ["Reports__SignedLinkLifetime"] = Tuning,
        ["Reports__MaxSignedLinkLifetime"] = Tuning,
        ["Reports__WarmUpOnStart"] = Tuning,
        ["Reports__CsvSnapshotLookBackDays"] = Tuning,
        ["Wallarm__ConsoleUrl"] = "derived from Wallarm__Cloud for US and EU; set by hand only with a custom API URL",
        ["Wallarm__Paging"] = Tuning,
        ["Wallarm__PageSize"] = Tuning,
        ["Wallarm__VerifyCounts"] = Tuning,
        ["Wallarm__MaxRetries"] = Tuning,
        ["Wallarm__RetryBaseDelay"] = Tuning,
        ["Wallarm__RetryMaxDelay"] = Tuning,
        ["Wallarm__AttemptTimeout"] = Tuning,
        ["Wallarm__TotalTimeout"] = Tuning,
        ["Ingestion__Overlap"] = Tuning,
        ["Ingestion__InitialLookback"] = Tuning,
        ["Ingestion__MaxCatchUp"] = Tuning,
        ["Ingestion__WindowSize"] = Tuning,
        ["Ingestion__RunBudget"] = Tuning,
        ["Ingestion__MaxDaysPerIncident"] = Tuning,
        ["Ingestion__VulnerabilityRefreshInterval"] = Tuning,
        ["Ingestion__WriteParallelism"] = Tuning,
        ["Ingestion__OngoingHorizon"] = Tuning,
        ["Ingestion__UnreadRecheckInterval"] = Tuning,
        ["Storage__DigestDeliveriesTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__DigestChannelsTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Storage__DigestAlertsTable"] = "default name; infra/main.bicep creates the tables under their default names",
        ["Digest__Channels"] = "set only for the channels named in DIGEST_CHANNELS (their URLs as Key Vault references); none by default (README, 'Chat digest and alerts')",
        ["Digest__Title"] = Tuning,
        ["Digest__WeeklyTitle"] = Tuning,
        ["Digest__MonthlyTitle"] = Tuning,
        ["Digest__CatchUpDays"] = Tuning,
        ["Digest__LinkValidity"] = Tuning,
        ["Digest__TopIncidents"] = Tuning,
        ["Digest__MaxRetries"] = Tuning,
        ["Digest__RetryBaseDelay"] = Tuning,
        ["Digest__RetryMaxDelay"] = Tuning,
        ["Digest__AttemptTimeout"] = Tuning,
        ["Digest__TotalTimeout"] = Tuning,
        ["Digest__AutoDisable__FailureRate"] = Tuning,
        ["Digest__AutoDisable__Window"] = Tuning,
        ["Digest__AutoDisable__MinDeliveries"] = Tuning,
        ["Digest__Alerts__Enabled"] = "real-time alerts are off by default; turned on together with a channel that has Alerts set (README, 'Chat digest and alerts')",
        ["Digest__Alerts__MaxPerInterval"] = Tuning,
        ["Digest__Alerts__Interval"] = Tuning,
        ["Digest__Alerts__MaxAge"] = Tuning,
        ["Digest__Alerts__RollupListed"] = Tuning,
    };
}
