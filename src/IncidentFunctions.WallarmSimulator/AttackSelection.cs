using System.Globalization;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>
/// The records a query selects as of one "now", in the query's order. Cached per query and instant, so the pages of
/// one read (and the count beside it) see the same list without recomputing it.
/// </summary>
internal static class AttackSelection
{
    private const int MaxCachedQueries = 32;

    public static List<SimAttack> Select(SimulatorState state, SimQuery query, long now)
    {
        var meaning = state.TimeFilter;
        var key = query.Canonical + "@" + now.ToString(CultureInfo.InvariantCulture) + "@" + meaning;
        if (state.QueryCache.TryGetValue(key, out var cached)) return cached;

        var (from, to) = Bounds(query);
        IEnumerable<SimAttack> matches = state.Data.ActiveIn(from, to, now).Where(a => query.Matches(a, now, meaning));
        Func<SimAttack, long> sortKey = query.OrderBy switch
        {
            "last_time" => a => a.LastTimeAt(now),
            "first_time" => a => a.FirstTime,
            "hits" or "hit_count" => a => a.HitsAt(now),
            "ip_count" => a => a.IpTopAt(now).Count,
            _ => a => a.LastTimeAt(now),
        };
        var ordered = query.OrderDesc
            ? matches.OrderByDescending(sortKey).ThenBy(a => a.AttackId, StringComparer.Ordinal)
            : matches.OrderBy(sortKey).ThenBy(a => a.AttackId, StringComparer.Ordinal);
        var list = ordered.ToList();
        if (state.QueryCache.Count > MaxCachedQueries) state.QueryCache.Clear();
        state.QueryCache[key] = list;
        return list;
    }

    /// <summary>The span the query's time ranges cover together (either end open).</summary>
    private static (long? From, long? To) Bounds(SimQuery query)
    {
        if (query.TimeRanges.Length == 0) return (null, null);
        long? from = query.TimeRanges.Any(t => t.From is null) ? null : query.TimeRanges.Min(t => t.From);
        long? to = query.TimeRanges.Any(t => t.To is null) ? null : query.TimeRanges.Max(t => t.To);
        return (from, to);
    }
}
