using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Storage;
using NodaTime;

namespace IncidentFunctions.Enrichment;

/// <summary>
/// Enriched sources filed per report day (PartitionKey <c>{tenant}-{yyyyMMdd}</c>, the incidents' key; RowKey the
/// escaped IP), so a report reads a day's sources in one partition query and joins them to incidents in memory.
/// Enrichment never rewrites incident rows, so it cannot race ingestion's upserts. Written by
/// <see cref="SourceEnricher"/>; read by reports and alerts.
/// </summary>
public sealed class SourceProfileStore(StorageClients storage, DayChangeMarks marks)
{
    /// <summary>RowKey of the row holding the day's attribution lines; sorts after every IP.</summary>
    public const string AttributionsRowKey = "~attributions";

    private static readonly string[] DayColumns = ["RowKey", "Profile", "Lines"];

    /// <summary>
    /// Writes the day's profiles (replacing earlier rows of the same addresses) and adds <paramref name="attributions"/>
    /// to the lines the day already has: the day keeps the attribution of every source that enriched any of its rows.
    /// Then bumps the day's change mark (profiles are CSV columns; see <see cref="DayChangeMarks"/>).
    /// </summary>
    public async Task UpsertAsync(long tenantId, LocalDate day, IReadOnlyCollection<SourceProfile> profiles, IReadOnlyCollection<string> attributions, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.SourcesTable, cancellationToken).ConfigureAwait(false);
        var partition = DayPartition.Key(tenantId, day);
        var rows = profiles.Select(p => new TableEntity(partition, TableKeys.Escape(p.Ip))
        {
            ["Profile"] = Serialize(p),
            ["SourceType"] = p.SourceType.ToString(),
            ["Malicious"] = p.IsMalicious,
        }).ToList();

        await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, 4, cancellationToken).ConfigureAwait(false);
        if (attributions.Count > 0) await MergeAttributionsAsync(table, partition, attributions, cancellationToken).ConfigureAwait(false);
        await marks.BumpAsync(tenantId, [day], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored form of a profile (camelCase JSON).</summary>
    public static string Serialize(SourceProfile profile) => JsonSerializer.Serialize(profile, SourceJsonContext.Default.SourceProfile);

    /// <summary>Read, union, write with the ETag; a concurrent writer for the same day makes it read again.</summary>
    private static async Task MergeAttributionsAsync(TableClient table, string partition, IReadOnlyCollection<string> attributions, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partition, AttributionsRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            var lines = new SortedSet<string>(StringComparer.Ordinal);
            if (existing.HasValue)
            {
                try
                {
                    lines.UnionWith(JsonSerializer.Deserialize(existing.Value!.GetString("Lines") ?? "[]", SourceJsonContext.Default.ListString) ?? []);
                }
                catch (JsonException)
                {
                    // Unreadable lines are rewritten from what this write knows.
                }
            }

            var before = lines.Count;
            lines.UnionWith(attributions.Where(a => !string.IsNullOrWhiteSpace(a)));
            if (existing.HasValue && lines.Count == before) return;
            var row = new TableEntity(partition, AttributionsRowKey) { ["Lines"] = JsonSerializer.Serialize(lines.ToList(), SourceJsonContext.Default.ListString) };
            try
            {
                if (existing.HasValue) await table.UpdateEntityAsync(row, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                else await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException ex) when ((ex.Status is 409 or 412) && attempt < 5)
            {
                // Another message for the same day wrote first; merge with its lines.
            }
        }
    }

    public Task<SourceDay> GetDayAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
        => GetDayAsync(tenantId, day, static profile => profile, cancellationToken);

    /// <summary>The day's profiles, each cut to what <paramref name="keep"/> returns as it is read.</summary>
    public Task<SourceDay> GetDayAsync(long tenantId, LocalDate day, Func<SourceProfile, SourceProfile> keep, CancellationToken cancellationToken = default)
        => GetDayAsync(tenantId, day, keep, int.MaxValue, cancellationToken);

    /// <summary>As <see cref="GetDayAsync(long, LocalDate, Func{SourceProfile, SourceProfile}, CancellationToken)"/>, reading at most <paramref name="maxRows"/> rows.</summary>
    public async Task<SourceDay> GetDayAsync(long tenantId, LocalDate day, Func<SourceProfile, SourceProfile> keep, int maxRows, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.SourcesTable, cancellationToken).ConfigureAwait(false);
        var partition = DayPartition.Key(tenantId, day);
        var profiles = new Dictionary<string, SourceProfile>(StringComparer.Ordinal);
        var attributions = new List<string>();
        // Only what is read back: the stored SourceType and Malicious columns are for people browsing the table.
        await foreach (var row in table.QueryAsync<TableEntity>(TableKeys.PartitionFilter(partition), maxPerPage: Math.Min(maxRows, 1000), select: DayColumns, cancellationToken: cancellationToken).Take(maxRows).ConfigureAwait(false))
        {
            try
            {
                if (row.RowKey == AttributionsRowKey)
                {
                    attributions.AddRange(JsonSerializer.Deserialize(row.GetString("Lines") ?? "[]", SourceJsonContext.Default.ListString) ?? []);
                }
                else if (JsonSerializer.Deserialize(row.GetString("Profile") ?? "null", SourceJsonContext.Default.SourceProfile) is { } profile)
                {
                    profiles[profile.Ip] = keep(profile);
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
[JsonSerializable(typeof(CachedSource))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class SourceJsonContext : JsonSerializerContext;
