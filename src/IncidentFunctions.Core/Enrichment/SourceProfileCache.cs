using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Enrichment;

/// <summary>Where each address's profile came from in one call.</summary>
public sealed record CachedProfiles(IReadOnlyDictionary<string, CachedSource> Profiles, int FromCache, int LookedUp);

/// <summary>
/// Per-IP profiles with a TTL (<c>Enrichment:CacheTtl</c>): an address is looked up in the intel index once per TTL
/// and reused for every report day and tenant it shows up in. Kept in a table (PartitionKey a 64-way bucket of the
/// address, RowKey the escaped address) shared by all instances, with a bounded in-memory layer in front.
/// </summary>
public sealed class SourceProfileCache(StorageClients storage, IOptions<EnrichmentOptions> options, TimeProvider time)
{
    private const int ReadParallelism = 16;
    private readonly ConcurrentDictionary<string, CachedSource> _memory = new(StringComparer.Ordinal);

    public async Task<CachedProfiles> GetOrAddAsync(IReadOnlyCollection<string> ips, IntelIndex index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ips);
        ArgumentNullException.ThrowIfNull(index);
        var now = time.GetUtcNow();
        var result = new ConcurrentDictionary<string, CachedSource>(StringComparer.Ordinal);
        var misses = new List<string>();
        foreach (var ip in ips)
        {
            if (_memory.TryGetValue(ip, out var cached) && IsFresh(cached, now)) result[ip] = cached;
            else misses.Add(ip);
        }

        var fromCache = result.Count;
        if (misses.Count == 0) return new CachedProfiles(result, fromCache, 0);

        var table = await storage.GetTableAsync(storage.Options.SourceCacheTable, cancellationToken).ConfigureAwait(false);
        var lookups = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(misses, new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (ip, ct) =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(ip), TableKeys.Escape(ip), ["Entry"], ct).ConfigureAwait(false);
            if (row.HasValue && Read(row.Value!) is { } cached && IsFresh(cached, now))
            {
                result[ip] = cached;
                Remember(ip, cached);
            }
            else
            {
                lookups.Add(ip);
            }
        }).ConfigureAwait(false);
        fromCache = result.Count;

        var rows = new List<TableEntity>(lookups.Count);
        foreach (var ip in lookups)
        {
            var profile = SourceProfiler.Profile(ip, index, now);
            result[ip] = profile;
            rows.Add(new TableEntity(PartitionKeyOf(ip), TableKeys.Escape(ip))
            {
                ["Entry"] = JsonSerializer.Serialize(profile, SourceJsonContext.Default.CachedSource),
                ["IntelVersion"] = index.Version,
                ["EnrichedAt"] = now,
            });
        }

        await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, 4, cancellationToken).ConfigureAwait(false);
        foreach (var ip in lookups) Remember(ip, result[ip]);
        return new CachedProfiles(result, fromCache, lookups.Count);
    }

    /// <summary>64 partitions: enough spread for the service, few enough that a message's new rows batch well.</summary>
    internal static string PartitionKeyOf(string ip)
    {
        var h = 2166136261u;
        foreach (var c in ip) h = (h ^ c) * 16777619u;
        return "ip" + (h & 63).ToString("D2", CultureInfo.InvariantCulture);
    }

    private bool IsFresh(CachedSource cached, DateTimeOffset now)
    {
        var age = now - cached.Profile.EnrichedAt;
        // A profile "from the future" (clock moved back) is treated as stale rather than trusted for a whole TTL.
        return age >= TimeSpan.Zero && age < options.Value.CacheTtl;
    }

    private void Remember(string ip, CachedSource cached)
    {
        var limit = options.Value.MemoryCacheSize;
        if (limit <= 0) return;
        // Crude bound: a full cache starts over instead of tracking recency; the table still holds everything.
        if (_memory.Count >= limit) _memory.Clear();
        _memory[ip] = cached;
    }

    private static CachedSource? Read(TableEntity row)
    {
        try
        {
            return row.GetString("Entry") is { } json ? JsonSerializer.Deserialize(json, SourceJsonContext.Default.CachedSource) : null;
        }
        catch (JsonException)
        {
            // A row from an older or broken writer is simply looked up again.
            return null;
        }
    }
}
