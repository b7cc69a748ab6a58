namespace IncidentFunctions.Storage;

/// <summary>
/// Where the app keeps its data. Locally a connection string (Azurite); in Azure the service endpoints with a managed
/// identity, because the production account has shared-key access disabled. Bound from the <c>Storage</c> section.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Connection string (Azurite or a key-based account). Falls back to <c>AzureWebJobsStorage</c> when that is one.</summary>
    public string? ConnectionString { get; set; }

    public Uri? TableServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    public Uri? BlobServiceUri { get; set; }

    /// <summary>Client id of the user-assigned managed identity; otherwise <c>AZURE_CLIENT_ID</c> or the default chain decides.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Prepended to every table name; lets tests and side-by-side installs share one account.</summary>
    public string TablePrefix { get; set; } = "";

    public string IncidentsTable { get; set; } = "incidents";

    public string CheckpointsTable { get; set; } = "checkpoints";

    public string CoverageTable { get; set; } = "coverage";

    public string VulnerabilitiesTable { get; set; } = "vulnerabilities";

    /// <summary>Wallarm records ingestion could not store, per report day and per tenant (see <c>RecordQuarantine</c>).</summary>
    public string QuarantineTable { get; set; } = "quarantine";

    /// <summary>Enriched sources per report day (see <c>SourceProfileStore</c>).</summary>
    public string SourcesTable { get; set; } = "sources";

    /// <summary>Digest delivery ledger: one row per report day and channel (see <c>DeliveryLedger</c>).</summary>
    public string DigestDeliveriesTable { get; set; } = "digestdeliveries";

    /// <summary>Chat channels' health (failure history, automatic disabling) and alert roll-up state.</summary>
    public string DigestChannelsTable { get; set; } = "digestchannels";

    /// <summary>Alert ledger: which incidents were already alerted on which channel.</summary>
    public string DigestAlertsTable { get; set; } = "digestalerts";

    /// <summary>Blob container of generated PDF reports (see <c>ReportCache</c>); not prefixed.</summary>
    public string ReportsContainer { get; set; } = "reports";

    /// <summary>Per-IP enrichment cache with a TTL (see <c>SourceProfileCache</c>).</summary>
    public string SourceCacheTable { get; set; } = "sourcecache";

    /// <summary>Per-day change marks of the data the CSV export shows (see <c>DayChangeMarks</c>).</summary>
    public string ChangeMarksTable { get; set; } = "changemarks";

    /// <summary>Queue of sources to enrich; bound from the <c>ENRICHMENT_QUEUE_NAME</c> app setting that the trigger also reads.</summary>
    public string EnrichmentQueueName { get; set; } = "enrich-sources";

    public string FullTableName(string table) => TablePrefix + table;
}
