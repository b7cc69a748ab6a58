namespace IncidentFunctions.AppModel;

/// <summary>
/// Flat app settings that the Functions host itself resolves in trigger attributes (<c>%NAME%</c>). The app binds the
/// same settings into its options so both sides always agree.
/// </summary>
public static class AppSettingNames
{
    public const string PullIncidentsSchedule = "PULL_INCIDENTS_SCHEDULE";
    public const string EnrichmentQueueName = "ENRICHMENT_QUEUE_NAME";
    public const string DailyDigestSchedule = "DAILY_DIGEST_SCHEDULE";
    public const string RefreshIntelSchedule = "REFRESH_INTEL_SCHEDULE";
    public const string AlertsSchedule = "ALERTS_SCHEDULE";
    public const string CsvSnapshotsSchedule = "CSV_SNAPSHOTS_SCHEDULE";
    public const string RetentionSchedule = "RETENTION_SCHEDULE";

    /// <summary>The host's storage connection; used by the app too when nothing more specific is configured.</summary>
    public const string AzureWebJobsStorage = "AzureWebJobsStorage";

    /// <summary>Application Insights destination; telemetry is exported only when it is set.</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary><c>Authorization=AAD[;ClientId=…]</c>: send telemetry with a managed identity (local auth disabled).</summary>
    public const string ApplicationInsightsAuthenticationString = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Client id of the user-assigned managed identity; DefaultAzureCredential reads it.</summary>
    public const string AzureClientId = "AZURE_CLIENT_ID";
}
