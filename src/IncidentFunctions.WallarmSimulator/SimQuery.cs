using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

internal enum VulnFilter
{
    Any,
    IncidentsOnly,
    PlainOnly,
    Ids,
}

/// <summary>The subset of the legacy attack filter the simulator honours (what real clients send).</summary>
internal sealed record SimQuery
{
    public long[]? ClientIds { get; init; }

    public VulnFilter Vuln { get; init; }

    public long[] VulnIds { get; init; } = [];

    public (long? From, long? To)[] TimeRanges { get; init; } = [];

    public string[]? Types { get; init; }

    public string[]? NotTypes { get; init; }

    public string[]? Ids
    {
        get => _ids;
        init
        {
            _ids = value;
            _idSet = value?.ToHashSet(StringComparer.Ordinal);
        }
    }

    private readonly string[]? _ids;

    /// <summary>The <c>attackid</c> filter as a set: a read by id may name a thousand.</summary>
    private readonly HashSet<string>? _idSet;

    public string OrderBy { get; init; } = "hit_count";

    public bool OrderDesc { get; init; } = true;

    public int Limit { get; init; } = 100;

    public int Offset { get; init; }

    public bool Paging { get; init; }

    public string? Cursor { get; init; }

    /// <summary>Everything that selects and orders records, without paging: cursors must belong to the same query.</summary>
    public string Canonical =>
        $"{string.Join(',', ClientIds ?? [])}|{Vuln}|{string.Join(',', VulnIds)}|{string.Join(';', TimeRanges.Select(t => $"{t.From}-{t.To}"))}|" +
        $"{string.Join(',', Types ?? [])}|{string.Join(',', NotTypes ?? [])}|{string.Join(',', Ids ?? [])}|{OrderBy}|{OrderDesc}";

    public bool Matches(SimAttack a, long now, TimeFilterMeaning meaning)
    {
        if (ClientIds is not null && !ClientIds.Contains(a.ClientId)) return false;
        switch (Vuln)
        {
            case VulnFilter.IncidentsOnly when a.VulnId is null:
            case VulnFilter.PlainOnly when a.VulnId is not null:
            case VulnFilter.Ids when a.VulnId is null || !VulnIds.Contains(a.VulnId.Value):
                return false;
        }

        if (Types is not null && !Types.Contains(a.Type, StringComparer.OrdinalIgnoreCase)) return false;
        if (NotTypes is not null && NotTypes.Contains(a.Type, StringComparer.OrdinalIgnoreCase)) return false;
        if (_idSet is not null && !_idSet.Contains(a.AttackId)) return false;
        return TimeRanges.Length == 0 || TimeRanges.Any(t => a.MatchesAt(now, t.From, t.To, meaning));
    }

    /// <summary>Parses a request body; a body the real API would refuse gives a message for a 400.</summary>
    public static SimQuery Parse(JsonElement root, out string? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "request body must be a JSON object";
            return new SimQuery();
        }

        var query = new SimQuery();
        if (root.TryGetProperty("filter", out var filter))
        {
            // Some clients send the filter as a one-element array of filter objects.
            if (filter.ValueKind == JsonValueKind.Array && filter.GetArrayLength() == 1) filter = filter[0];
            if (filter.ValueKind != JsonValueKind.Object)
            {
                error = "filter must be an object";
                return query;
            }

            query = query with
            {
                ClientIds = ReadLongs(filter, "clientid", ref error),
                Types = ReadStrings(filter, "type"),
                NotTypes = ReadStrings(filter, "!type"),
                Ids = ReadStrings(filter, "attackid"),
            };

            if (filter.TryGetProperty("!vulnid", out var notVuln) && notVuln.ValueKind == JsonValueKind.Null)
            {
                query = query with { Vuln = VulnFilter.IncidentsOnly };
            }
            else if (filter.TryGetProperty("vulnid", out var vuln))
            {
                query = vuln.ValueKind == JsonValueKind.Null
                    ? query with { Vuln = VulnFilter.PlainOnly }
                    : query with { Vuln = VulnFilter.Ids, VulnIds = ReadLongs(filter, "vulnid", ref error) ?? [] };
            }

            if (filter.TryGetProperty("time", out var time))
            {
                var ranges = new List<(long?, long?)>();
                if (time.ValueKind != JsonValueKind.Array)
                {
                    error = "filter.time must be an array of [from, to] pairs";
                }
                else
                {
                    foreach (var pair in time.EnumerateArray())
                    {
                        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                        {
                            error = "filter.time must be an array of [from, to] pairs";
                            break;
                        }

                        ranges.Add((NullableLong(pair[0]), NullableLong(pair[1])));
                    }
                }

                query = query with { TimeRanges = [.. ranges] };
            }
        }

        var limit = root.TryGetProperty("limit", out var l) && l.TryGetInt32(out var li) ? li : 100;
        var offset = root.TryGetProperty("offset", out var o) && o.TryGetInt32(out var oi) ? oi : 0;
        if (limit < 0 || offset < 0) error = "limit and offset must not be negative";
        return query with
        {
            Limit = Math.Min(limit, 1000),
            Offset = offset,
            OrderBy = root.TryGetProperty("order_by", out var ob) && ob.ValueKind == JsonValueKind.String ? ob.GetString()! : "hit_count",
            OrderDesc = !root.TryGetProperty("order_desc", out var od) || od.ValueKind != JsonValueKind.False,
            Paging = root.TryGetProperty("paging", out var p) && p.ValueKind == JsonValueKind.True,
            Cursor = root.TryGetProperty("cursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
        };
    }

    private static long? NullableLong(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : null;

    private static long[]? ReadLongs(JsonElement filter, string name, ref string? error)
    {
        if (!filter.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Number) return [value.GetInt64()];
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
        {
            error = $"filter.{name} must be an integer or an array of integers";
            return null;
        }

        return value.EnumerateArray().Select(v => v.GetInt64()).ToArray();
    }

    private static string[]? ReadStrings(JsonElement filter, string name)
    {
        if (!filter.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return [value.GetString()!];
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.ToString()).ToArray() : null;
    }
}
