namespace IncidentFunctions.Hosting;

/// <summary>
/// Flat app settings that the Functions host itself resolves in trigger attributes (<c>%NAME%</c>). The app binds the
/// same settings into its options so both sides always agree.
/// </summary>
public static class AppSettingNames
{
    public const string PullIncidentsSchedule = "PULL_INCIDENTS_SCHEDULE";
    public const string EnrichmentQueueName = "ENRICHMENT_QUEUE_NAME";
    public const string RefreshIntelSchedule = "REFRESH_INTEL_SCHEDULE";

    /// <summary>The host's storage connection; used by the app too when nothing more specific is configured.</summary>
    public const string AzureWebJobsStorage = "AzureWebJobsStorage";
}
