using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Enrichment;

/// <summary>
/// What this instance already wrote to the sources table: a day's row for an address with a given content, and a
/// day's attribution lines. The same attacker shows up in message after message of a busy day; rewriting an
/// identical row each time only costs storage transactions, so it is skipped. Purely an optimisation: it starts
/// empty, other instances write anyway, and a changed profile (new snapshot, other Tor verdict) differs in content.
/// </summary>
public sealed class SourceDayMemo(IOptions<EnrichmentOptions> options)
{
    private readonly ConcurrentDictionary<(long Tenant, LocalDate Day, string Ip), long> _rows = new();
    private readonly ConcurrentDictionary<(long Tenant, LocalDate Day), ConcurrentDictionary<string, byte>> _attributions = new();

    public bool IsWritten(long tenant, LocalDate day, string ip, long contentHash)
        => _rows.TryGetValue((tenant, day, ip), out var known) && known == contentHash;

    public void MarkWritten(long tenant, LocalDate day, string ip, long contentHash)
    {
        // Crude bound, as for the profile cache: a full memo starts over.
        if (_rows.Count >= Math.Max(1, options.Value.MemoryCacheSize) * 2) _rows.Clear();
        _rows[(tenant, day, ip)] = contentHash;
    }

    public bool AttributionsWritten(long tenant, LocalDate day, IEnumerable<string> lines)
        => _attributions.TryGetValue((tenant, day), out var known) && lines.All(known.ContainsKey);

    public void MarkAttributions(long tenant, LocalDate day, IEnumerable<string> lines)
    {
        if (_attributions.Count >= 10_000) _attributions.Clear();
        var known = _attributions.GetOrAdd((tenant, day), _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        foreach (var line in lines) known[line] = 0;
    }

    /// <summary>A 64-bit content hash (two independent 32-bit hashes), good enough to tell a changed row from the same one.</summary>
    public static long Hash(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var fnv = 2166136261u;
        foreach (var c in content) fnv = (fnv ^ c) * 16777619u;
        return ((long)StringComparer.Ordinal.GetHashCode(content) << 32) | fnv;
    }
}
