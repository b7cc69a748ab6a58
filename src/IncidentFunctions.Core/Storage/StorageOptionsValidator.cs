using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Storage;

internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        var endpoints = new[] { options.TableServiceUri, options.QueueServiceUri, options.BlobServiceUri };
        if (!hasConnectionString && endpoints.Any(e => e is null))
        {
            failures.Add("Storage is not configured. Set 'Storage__ConnectionString' (local/Azurite), or all of 'Storage__TableServiceUri', 'Storage__QueueServiceUri' and 'Storage__BlobServiceUri' (Azure, with a managed identity).");
        }

        if (hasConnectionString && UnusableFor(options.ConnectionString!) is { } service)
        {
            // Never the SDK's own message: it quotes the part it could not read, which may be the key.
            failures.Add($"Storage:ConnectionString (app setting Storage__ConnectionString) is not a storage connection string the {service} client can use; expected 'UseDevelopmentStorage=true' or 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net' (or the account's TableEndpoint, QueueEndpoint and BlobEndpoint).");
        }

        foreach (var table in new[] { options.IncidentsTable, options.CheckpointsTable, options.CoverageTable, options.VulnerabilitiesTable, options.QuarantineTable, options.SourcesTable, options.SourceCacheTable, options.DigestDeliveriesTable, options.DigestChannelsTable, options.DigestAlertsTable, options.ChangeMarksTable })
        {
            var full = options.FullTableName(table);
            if (!TableName().IsMatch(full))
            {
                failures.Add($"Table name '{full}' (Storage:TablePrefix + table) must be 3–63 letters or digits and start with a letter.");
            }
        }

        if (!ContainerName().IsMatch(options.ReportsContainer) || options.ReportsContainer.Contains("--", StringComparison.Ordinal))
        {
            failures.Add($"Storage:ReportsContainer '{options.ReportsContainer}' must be 3–63 lowercase letters, digits or single hyphens, starting and ending with a letter or digit.");
        }

        // The poison queue appends "-poison" (7 characters) and must still be a valid name.
        if (!QueueName().IsMatch(options.EnrichmentQueueName) || options.EnrichmentQueueName.Contains("--", StringComparison.Ordinal) || options.EnrichmentQueueName.Length > 56)
        {
            failures.Add($"ENRICHMENT_QUEUE_NAME '{options.EnrichmentQueueName}' must be 3–56 lowercase letters, digits or single hyphens, starting and ending with a letter or digit.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first of the three clients that refuses the connection string (they parse it when made, without a request); null when all accept it.</summary>
    private static string? UnusableFor(string connectionString)
    {
        (string Service, Action Make)[] clients =
        [
            ("table", () => _ = new TableServiceClient(connectionString)),
            ("queue", () => _ = new QueueServiceClient(connectionString)),
            ("blob", () => _ = new BlobServiceClient(connectionString)),
        ];
        foreach (var (service, make) in clients)
        {
            try
            {
                make();
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
            {
                return service;
            }
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}
