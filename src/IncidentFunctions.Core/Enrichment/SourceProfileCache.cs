using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure;
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
/// <para>
/// An address missing from memory is resolved in one of two ways with the same outcome: the stored row is used when it
/// is fresh, otherwise the address is looked up (at this call's time) and its row replaced. <em>Read first</em> reads
/// each row (a point read), then writes the lookups; <em>insert first</em> looks every address up (microseconds
/// against the index), inserts the rows per partition in transactions that fail if any row exists, and reads only the
/// addresses of a transaction that failed. A new address costs one request instead of two; an address that is already
/// stored costs a failed insert more. So the cache keeps count of how many addresses missing from memory turned out to
/// be stored, and inserts first only while fewer than half were. A new instance, whose memory is empty while the table
/// may hold other instances' rows, starts reading first; a call with many addresses reads one round of them before it
/// decides how to resolve the rest.
/// </para>
/// <para>
/// Not <c>RowKey eq … or …</c> queries: the service treats them as a scan of the partition rather than point or range
/// reads, at most 15 comparisons each, and a message's few new addresses spread over 64 partitions (Azurite, the same
/// table of 20,000 rows: a two-key query cost more than two point reads).
/// </para>
/// </summary>
public sealed class SourceProfileCache(StorageClients storage, IOptions<EnrichmentOptions> options, TimeProvider time)
{
    /// <summary>The column holding when a row's address was looked up (the retention job deletes rows past the TTL by it).</summary>
    public const string EnrichedAtColumn = "EnrichedAt";

    private const int ReadParallelism = 16;
    private const int WriteParallelism = 4;

    /// <summary>How much history the stored-or-new count keeps: halved past this many addresses.</summary>
    private const int StoredRatioWindow = 2_000;

    private readonly ConcurrentDictionary<string, CachedSource> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<CachedSource>> _resolving = new(StringComparer.Ordinal);
    private readonly Lock _ratioLock = new();
    private long _probed;
    private long _stored;

    /// <summary>Whether the next call inserts first (see the class remarks). False until the table has been seen.</summary>
    internal bool InsertsFirst
    {
        get
        {
            lock (_ratioLock) return _probed > 0 && _stored * 2 < _probed;
        }
    }

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

        if (misses.Count == 0) return new CachedProfiles(result, result.Count, 0);

        // Single flight: an address another call of this instance is resolving right now (a popular source in
        // several messages in flight) is awaited, not read or inserted a second time; it counts as from the cache.
        var owned = new Dictionary<string, TaskCompletionSource<CachedSource>>(StringComparer.Ordinal);
        var awaited = new List<(string Ip, Task<CachedSource> Profile)>();
        foreach (var ip in misses)
        {
            var mine = new TaskCompletionSource<CachedSource>(TaskCreationOptions.RunContinuationsAsynchronously);
            var resolving = _resolving.GetOrAdd(ip, mine.Task);
            if (resolving == mine.Task) owned[ip] = mine;
            else awaited.Add((ip, resolving));
        }

        var lookedUpCount = 0;
        try
        {
            if (owned.Count > 0) lookedUpCount = await ResolveAsync([.. owned.Keys], result, index, now, cancellationToken).ConfigureAwait(false);
            foreach (var (ip, mine) in owned) mine.TrySetResult(result[ip]);
        }
        catch (Exception ex)
        {
            foreach (var mine in owned.Values) mine.TrySetException(ex);
            throw;
        }
        finally
        {
            foreach (var (ip, mine) in owned) _resolving.TryRemove(new KeyValuePair<string, Task<CachedSource>>(ip, mine.Task));
        }

        foreach (var (ip, profile) in awaited) result[ip] = await profile.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new CachedProfiles(result, result.Count - lookedUpCount, lookedUpCount);
    }

    /// <summary>Resolves addresses missing from memory into <paramref name="result"/>; returns how many were looked up.</summary>
    private async Task<int> ResolveAsync(List<string> misses, ConcurrentDictionary<string, CachedSource> result, IntelIndex index, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.SourceCacheTable, cancellationToken).ConfigureAwait(false);
        var lookedUp = new ConcurrentDictionary<string, CachedSource>(StringComparer.Ordinal);
        var stale = new List<string>();
        var rest = misses;
        if (!InsertsFirst && misses.Count > ReadParallelism)
        {
            // One round of reads first: it may show that the table rarely holds these addresses, and then the rest
            // of a large call (a new instance's first messages) is inserted instead of read.
            stale.AddRange(await ReadAsync(table, misses[..ReadParallelism], result, now, cancellationToken).ConfigureAwait(false));
            rest = misses[ReadParallelism..];
        }

        var toRead = rest;
        if (InsertsFirst)
        {
            foreach (var ip in rest) lookedUp[ip] = SourceProfiler.Profile(ip, index, now);
            toRead = await InsertAsync(table, rest, lookedUp, index.Version, now, cancellationToken).ConfigureAwait(false);
        }

        if (toRead.Count > 0)
        {
            stale.AddRange(await ReadAsync(table, toRead, result, now, cancellationToken).ConfigureAwait(false));
            foreach (var ip in toRead) if (result.ContainsKey(ip)) lookedUp.TryRemove(ip, out _);
        }

        if (stale.Count > 0)
        {
            var rows = new List<TableEntity>(stale.Count);
            foreach (var ip in stale)
            {
                var profile = lookedUp.GetOrAdd(ip, a => SourceProfiler.Profile(a, index, now));
                rows.Add(Row(ip, profile, index.Version, now));
            }

            await TableBatchWriter.UpsertAsync(table, rows, TableUpdateMode.Replace, WriteParallelism, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (ip, profile) in lookedUp) result[ip] = profile;
        foreach (var ip in misses) Remember(ip, result[ip]);
        return lookedUp.Count;
    }

    /// <summary>
    /// Inserts the looked-up rows per partition, each transaction all or nothing; returns the addresses of the
    /// transactions that failed because some row exists, which must be read.
    /// </summary>
    private async Task<List<string>> InsertAsync(TableClient table, List<string> ips, ConcurrentDictionary<string, CachedSource> lookedUp, string version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var batches = ips.GroupBy(PartitionKeyOf, StringComparer.Ordinal).SelectMany(g => g.Chunk(TableBatchWriter.MaxActionsPerTransaction)).ToList();
        var conflicts = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(ip => new TableTransactionAction(TableTransactionActionType.Add, Row(ip, lookedUp[ip], version, now))), ct).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                foreach (var ip in batch) conflicts.Add(ip);
            }
        }).ConfigureAwait(false);

        // Addresses of the transactions that went through are all new; the rest are counted when they are read.
        Count(probed: ips.Count - conflicts.Count, stored: 0);
        return conflicts.ToList();
    }

    /// <summary>Point reads; fresh rows go to <paramref name="result"/>. Returns the addresses with no usable row.</summary>
    private async Task<List<string>> ReadAsync(TableClient table, List<string> ips, ConcurrentDictionary<string, CachedSource> result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stale = new ConcurrentBag<string>();
        var stored = 0;
        await Parallel.ForEachAsync(ips, new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (ip, ct) =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(ip), TableKeys.Escape(ip), ["Entry"], ct).ConfigureAwait(false);
            if (row.HasValue) Interlocked.Increment(ref stored);
            if (row.HasValue && Read(row.Value!) is { } cached && IsFresh(cached, now)) result[ip] = cached;
            else stale.Add(ip);
        }).ConfigureAwait(false);
        Count(probed: ips.Count, stored: stored);
        return stale.ToList();
    }

    private static TableEntity Row(string ip, CachedSource profile, string version, DateTimeOffset now) => new(PartitionKeyOf(ip), TableKeys.Escape(ip))
    {
        ["Entry"] = JsonSerializer.Serialize(profile, SourceJsonContext.Default.CachedSource),
        ["IntelVersion"] = version,
        [EnrichedAtColumn] = now,
    };

    private void Count(int probed, int stored)
    {
        lock (_ratioLock)
        {
            _probed += probed;
            _stored += stored;
            if (_probed <= StoredRatioWindow) return;
            _probed /= 2;
            _stored /= 2;
        }
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
