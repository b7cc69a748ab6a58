using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using NodaTime;

namespace IncidentFunctions.Enrichment;

/// <summary>
/// Enriched sources filed per report day (PartitionKey <c>{tenant}-{yyyyMMdd}</c>, the incidents' key; RowKey the
/// escaped IP), so a report reads a day's sources in one partition query and joins them to incidents in memory.
/// Enrichment never rewrites incident rows, so it cannot race ingestion's upserts.
/// </summary>
public sealed class SourceProfileStore(StorageClients storage)
{
    /// <summary>RowKey of the row holding the day's attribution lines; sorts after every IP.</summary>
    public const string AttributionsRowKey = "~attributions";

    public async Task UpsertAsync(long tenantId, LocalDate day, IReadOnlyCollection<SourceProfile> profiles, IReadOnlyCollection<string> attributions, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.SourcesTable, cancellationToken).ConfigureAwait(false);
        var partition = IncidentEntity.PartitionKeyFor(tenantId, ReportCalendar.DayKey(day));
        var rows = profiles.Select(p => (ITableEntity)new TableEntity(partition, TableKeys.Escape(p.Ip))
        {
            ["Profile"] = JsonSerializer.Serialize(p, SourceJsonContext.Default.SourceProfile),
            ["SourceType"] = p.SourceType.ToString(),
            ["Malicious"] = p.IsMalicious,
        }).ToList();
        if (attributions.Count > 0)
        {
            rows.Add(new TableEntity(partition, AttributionsRowKey) { ["Lines"] = JsonSerializer.Serialize(attributions.Distinct().Order(StringComparer.Ordinal).ToList(), SourceJsonContext.Default.ListString) });
        }

        await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, 4, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SourceDay> GetDayAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.SourcesTable, cancellationToken).ConfigureAwait(false);
        var partition = IncidentEntity.PartitionKeyFor(tenantId, ReportCalendar.DayKey(day));
        var profiles = new Dictionary<string, SourceProfile>(StringComparer.Ordinal);
        var attributions = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (row.RowKey == AttributionsRowKey)
                {
                    attributions.AddRange(JsonSerializer.Deserialize(row.GetString("Lines") ?? "[]", SourceJsonContext.Default.ListString) ?? []);
                }
                else if (JsonSerializer.Deserialize(row.GetString("Profile") ?? "null", SourceJsonContext.Default.SourceProfile) is { } profile)
                {
                    profiles[profile.Ip] = profile;
                }
            }
            catch (JsonException)
            {
                // A row from a newer or broken writer must not break a report; that source shows as not enriched.
            }
        }

        return new SourceDay(profiles, attributions);
    }

}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SourceProfile))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class SourceJsonContext : JsonSerializerContext;
