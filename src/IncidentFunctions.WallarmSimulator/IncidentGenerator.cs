using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Numerics;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>An attacker address in an attack, with its share of the attack's hits.</summary>
public sealed record SimSourceIp(string Ip, string? Country, IpPool Pool, double Share);

/// <summary>A generated vulnerability (security issue).</summary>
public sealed record SimVulnerability(long Id, string Wid, string Type, string Title, int Threat, string Status, string Target, string Domain, string Path, string Parameter, string Method, long ValidateTime);

/// <summary>
/// An attack over its whole life. What the API shows depends on "now": an attack is invisible before its first hit,
/// and while ongoing its last hit, hit count and IP list grow, so later pulls see updates.
/// </summary>
public sealed class SimAttack
{
    public required string Index { get; init; }

    public required string DocId { get; init; }

    public string AttackId => _attackId ??= Index + ":" + DocId;

    private string? _attackId;
    private AttackView? _final;

    public required long ClientId { get; init; }

    public required string Domain { get; init; }

    public required string Path { get; init; }

    public required string Method { get; init; }

    public required string Parameter { get; init; }

    public required string[] Point { get; init; }

    public required string Type { get; init; }

    public required long FirstTime { get; init; }

    /// <summary>Seconds from the first to the final hit.</summary>
    public required long Duration { get; init; }

    public required long FinalHits { get; init; }

    public required IReadOnlyList<SimSourceIp> Ips { get; init; }

    public required long PoolId { get; init; }

    public long? VulnId { get; init; }

    public required int Threat { get; init; }

    public required string Target { get; init; }

    public required int Vectors { get; init; }

    public required string BlockStatus { get; init; }

    public string? State { get; init; }

    public required int[] StatusCodes { get; init; }

    /// <summary>Sends <c>hits</c> as a float (<c>42.0</c>), as the API sometimes does.</summary>
    public bool HitsAsFloat { get; init; }

    /// <summary>Seconds after its first hit before the API shows the attack (nodes upload with a delay): late data.</summary>
    public long ArrivalDelay { get; init; }

    public long EndTime => FirstTime + Duration;

    public bool IsVisibleAt(long now) => now >= FirstTime + ArrivalDelay;

    public bool IsOngoingAt(long now) => now < EndTime;

    public long LastTimeAt(long now) => Math.Min(EndTime, Math.Max(FirstTime, now));

    public double ProgressAt(long now) => Duration == 0 ? 1 : Math.Clamp((LastTimeAt(now) - FirstTime) / (double)Duration, 0, 1);

    public long HitsAt(long now) => Math.Max(1, (long)Math.Round(FinalHits * ProgressAt(now)));

    /// <summary>The attackers that have shown up so far, most active first, with hit counts summing to <see cref="HitsAt"/>.</summary>
    public IReadOnlyList<(string Ip, long Count, string? Country)> IpTopAt(long now)
    {
        var visible = Math.Max(1, (int)Math.Ceiling(Ips.Count * ProgressAt(now)));
        var ips = Ips.Take(visible).ToList();
        var hits = HitsAt(now);
        var shareTotal = ips.Sum(i => i.Share);
        var result = new List<(string, long, string?)>(ips.Count);
        long assigned = 0;
        for (var i = 0; i < ips.Count; i++)
        {
            var count = i == ips.Count - 1 ? hits - assigned : Math.Max(0, (long)Math.Floor(hits * ips[i].Share / shareTotal));
            assigned += count;
            result.Add((ips[i].Ip, count, ips[i].Country));
        }

        return result;
    }

    /// <summary>
    /// What the API shows of the attack at <paramref name="now"/>; computed once for a finished attack (its state no
    /// longer changes), so large result sets serialize without recomputing it per page.
    /// </summary>
    internal AttackView ViewAt(long now)
    {
        if (!IsOngoingAt(now) && _final is { } final) return final;
        var ipTop = IpTopAt(now).OrderByDescending(t => t.Count).ToList();
        var view = new AttackView(
            LastTimeAt(now),
            HitsAt(now),
            ipTop,
            ipTop.Where(t => t.Country is not null).GroupBy(t => t.Country!).Select(g => (Country: g.Key, Count: g.Sum(t => t.Count))).OrderByDescending(g => g.Count).ToList(),
            Ips.Select(i => i.Pool.Provider).Where(p => p is not null).Distinct().Select(p => p!.ToLowerInvariant()).ToArray(),
            Ips.Any(i => i.Pool.Kind == IpPoolKind.Tor));
        if (!IsOngoingAt(now)) _final = view;
        return view;
    }

    /// <summary>True when the attack's activity, as known at <paramref name="now"/>, overlaps [from, to] (either end open).</summary>
    public bool OverlapsAt(long now, long? from, long? to)
        => IsVisibleAt(now) && (from is null || LastTimeAt(now) >= from) && (to is null || FirstTime <= to);

    /// <summary>True when the attack, as known at <paramref name="now"/>, matches a <c>time</c> range under <paramref name="meaning"/>.</summary>
    public bool MatchesAt(long now, long? from, long? to, TimeFilterMeaning meaning) => meaning switch
    {
        TimeFilterMeaning.FirstHit => IsVisibleAt(now) && (from is null || FirstTime >= from) && (to is null || FirstTime <= to),
        _ => OverlapsAt(now, from, to),
    };
}

/// <summary>What the <c>time</c> filter of <c>/v1/objects/attack</c> matches; the real API does not document it.</summary>
public enum TimeFilterMeaning
{
    /// <summary>The attack's first–last span overlaps the range.</summary>
    Overlap,

    /// <summary>The attack's first hit lies in the range.</summary>
    FirstHit,
}

/// <summary>An attack's state as the API shows it at one instant.</summary>
internal sealed record AttackView(
    long LastTime,
    long Hits,
    IReadOnlyList<(string Ip, long Count, string? Country)> IpTop,
    IReadOnlyList<(string Country, long Count)> Countries,
    string[] Datacenters,
    bool Tor);

/// <summary>Deterministic attack and vulnerability data from a seed and a volume.</summary>
public sealed class IncidentGenerator
{
    private readonly SimulatorOptions _options;
    private readonly ConcurrentDictionary<long, SimAttack[]> _hours = new();
    private readonly List<(IpPool Pool, string[] Addresses)> _pools;

    public IncidentGenerator(SimulatorOptions options)
    {
        _options = options;
        _pools = options.IpPools.Where(p => p.Networks.Count > 0 && p.Weight > 0).Select((p, i) => (p, Addresses(p, i))).ToList();
        if (_pools.Count == 0) throw new ArgumentException("The simulator needs at least one IP pool with networks and a positive weight.", nameof(options));
        Vulnerabilities = CreateVulnerabilities();
    }

    public SimulatorOptions Options => _options;

    public IReadOnlyList<SimVulnerability> Vulnerabilities { get; }

    public IEnumerable<(IpPool Pool, string Address)> AllAddresses => _pools.SelectMany(p => p.Addresses.Select(a => (p.Pool, a)));

    /// <summary>Attacks (incidents and plain) whose activity as of <paramref name="now"/> overlaps [from, to].</summary>
    public IEnumerable<SimAttack> ActiveIn(long? from, long? to, long now)
    {
        var maxDuration = (long)_options.MaxIncidentDuration.TotalSeconds;
        var firstHour = ((from ?? now - maxDuration) - maxDuration) / 3600 - 1;
        var lastHour = Math.Min(to ?? now, now) / 3600;
        for (var hour = firstHour; hour <= lastHour; hour++)
        {
            foreach (var attack in Hour(hour))
            {
                if (attack.OverlapsAt(now, from, to)) yield return attack;
            }
        }
    }

    /// <summary>Incidents (attacks with a vulnerability) active in [from, to] as of <paramref name="now"/>.</summary>
    public IEnumerable<SimAttack> IncidentsIn(long from, long to, long now) => ActiveIn(from, to, now).Where(a => a.VulnId is not null);

    /// <summary>Incidents the API matches to [from, to] as of <paramref name="now"/> under <paramref name="meaning"/>.</summary>
    public IEnumerable<SimAttack> IncidentsIn(long from, long to, long now, TimeFilterMeaning meaning)
        => IncidentsIn(from, to, now).Where(a => a.MatchesAt(now, from, to, meaning));

    internal SimAttack[] Hour(long hour) => _hours.GetOrAdd(hour, Generate);

    private SimAttack[] Generate(long hour)
    {
        var r = SimRandom.For(_options.Seed, hour, 1);
        var utcHour = (int)(((hour % 24) + 24) % 24);
        // Busier in the European/US working day; averages to 1 over a day so the volume holds.
        var diurnal = 1 + 0.5 * Math.Sin(2 * Math.PI * (utcHour - 8) / 24.0);
        var incidents = StochasticRound(_options.IncidentsPerDay / 24 * diurnal, ref r);
        var plain = StochasticRound(_options.PlainAttacksPerDay / 24 * diurnal, ref r);
        var result = new SimAttack[incidents + plain];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = CreateAttack(hour, i, isIncident: i < incidents);
        }

        return result;
    }

    private SimAttack CreateAttack(long hour, int index, bool isIncident)
    {
        var r = SimRandom.For(_options.Seed, hour, index + 2);
        var template = isIncident ? r.Pick(AttackCatalog.Incidents) : r.Pick(AttackCatalog.PlainAttacks);
        var first = hour * 3600 + r.Next(3600);
        var duration = Duration(ref r);
        var hits = Math.Max(1, (long)Math.Round(Math.Exp(r.NextDouble() * 7.5)));
        var path = template.Path.Replace("{id}", (1000 + r.Next(90000)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var parameter = template.Parameter;
        if (r.NextDouble() < _options.HostileTextShare)
        {
            path = r.Pick(AttackCatalog.HostilePaths);
            if (r.NextDouble() < 0.5) parameter = r.Pick(AttackCatalog.HostileParameters);
        }

        var statusRoll = r.NextDouble();
        var blockStatus = statusRoll switch
        {
            < 0.50 => "monitored",
            < 0.85 => "blocked",
            < 0.98 => "partially_blocked",
            _ => "deferred",
        };
        int[] statusCodes = blockStatus switch
        {
            "blocked" => [403],
            "partially_blocked" => [200, 403],
            _ => r.NextDouble() < 0.2 ? [200, 500] : [200],
        };

        SimVulnerability? vuln = null;
        if (isIncident)
        {
            var matching = Vulnerabilities.Where(v => v.Path == template.Path && v.Method == template.Method).ToList();
            vuln = matching.Count > 0 ? r.Pick(matching) : r.Pick(Vulnerabilities);
        }

        var monthIndex = DateTimeOffset.FromUnixTimeSeconds(first).ToString("yyyyMM", CultureInfo.InvariantCulture);
        return new SimAttack
        {
            Index = $"attacks_production_{_options.ClientId}_{monthIndex}_v_1",
            DocId = DocId(ref r),
            ClientId = _options.ClientId,
            Domain = r.Pick(_options.Domains),
            Path = path,
            Method = template.Method,
            Parameter = parameter,
            Point = template.Point,
            Type = template.Type,
            FirstTime = first,
            Duration = duration,
            FinalHits = hits,
            Ips = PickIps(ref r),
            PoolId = r.NextDouble() < 0.15 ? -1 : 1 + r.Next(5),
            VulnId = vuln?.Id,
            Threat = vuln?.Threat ?? 20 + r.Next(60),
            Target = template.Target,
            Vectors = 1 + r.Next(Math.Max(1, (int)Math.Min(40, hits))),
            BlockStatus = blockStatus,
            State = r.NextDouble() < 0.03 ? "falsepositive" : null,
            StatusCodes = statusCodes,
            HitsAsFloat = r.NextDouble() < 0.1,
            // Drawn last, and only when asked for, so data without late arrivals is what it always was.
            ArrivalDelay = _options.MaxArrivalDelay > TimeSpan.Zero ? r.NextLong(0, (long)_options.MaxArrivalDelay.TotalSeconds + 1) : 0,
        };
    }

    private long Duration(ref SimRandom r)
    {
        var roll = r.NextDouble();
        var seconds = roll switch
        {
            < 0.70 => r.NextLong(0, 600),
            < 0.90 => r.NextLong(600, 3 * 3600),
            < 0.98 => r.NextLong(3 * 3600, 24 * 3600),
            _ => r.NextLong(24 * 3600, 3 * 24 * 3600),
        };
        return Math.Min(seconds, (long)_options.MaxIncidentDuration.TotalSeconds);
    }

    private List<SimSourceIp> PickIps(ref SimRandom r)
    {
        var roll = r.NextDouble();
        var count = roll switch { < 0.45 => 1, < 0.70 => 2, < 0.85 => 3, < 0.95 => 5, _ => 8 };
        var chosen = new List<SimSourceIp>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count * 3 && chosen.Count < count; i++)
        {
            var (pool, addresses) = r.PickWeighted(_pools, p => p.Pool.Weight);
            var address = r.Pick(addresses);
            if (!seen.Add(address)) continue;
            chosen.Add(new SimSourceIp(address, string.IsNullOrEmpty(pool.Country) ? null : pool.Country, pool, 1.0 / (chosen.Count + 1)));
        }

        return chosen;
    }

    private string[] Addresses(IpPool pool, int poolIndex)
    {
        var r = SimRandom.For(_options.Seed, 7_000_000 + poolIndex, StableHash(pool.Name));
        var set = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _options.AddressesPerPool * 4 && set.Count < _options.AddressesPerPool; i++)
        {
            set.Add(RandomAddressIn(r.Pick(pool.Networks), ref r));
        }

        return [.. set];
    }

    internal static string RandomAddressIn(string cidr, ref SimRandom r)
    {
        var network = IPNetwork.Parse(cidr);
        var bytes = network.BaseAddress.GetAddressBytes();
        var hostBits = bytes.Length * 8 - network.PrefixLength;
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        BigInteger offset = hostBits >= 64 ? new BigInteger(r.NextUInt64()) : new BigInteger(r.NextUInt64() % (1UL << hostBits));
        if (bytes.Length == 4)
        {
            // Skip the network and broadcast addresses of the range.
            var size = BigInteger.One << hostBits;
            if (size > 2) offset = 1 + offset % (size - 2);
        }

        var address = (value + offset).ToByteArray(isUnsigned: true, isBigEndian: true);
        var full = new byte[bytes.Length];
        Array.Copy(address, 0, full, full.Length - address.Length, address.Length);
        return new IPAddress(full).ToString();
    }

    private List<SimVulnerability> CreateVulnerabilities()
    {
        var r = SimRandom.For(_options.Seed, 9_000_000);
        var list = new List<SimVulnerability>();
        var id = 10_001L;
        foreach (var template in AttackCatalog.Incidents)
        {
            var perTemplate = 1 + r.Next(2);
            for (var k = 0; k < perTemplate; k++, id++)
            {
                var statusRoll = r.NextDouble();
                var status = statusRoll < 0.75 ? "open" : statusRoll < 0.93 ? "closed" : "falsepositive";
                var domain = r.Pick(_options.Domains);
                list.Add(new SimVulnerability(
                    id,
                    $"WLRM-{(char)('A' + r.Next(26))}{(char)('A' + r.Next(26))}{(char)('A' + r.Next(26))}{(char)('A' + r.Next(26))}-{id % 10000:D4}",
                    template.VulnType,
                    k == 0 ? template.Title : $"{template.Title} ({domain})",
                    20 + r.Next(80),
                    status,
                    template.Target,
                    domain,
                    template.Path,
                    template.Parameter,
                    template.Method,
                    1_700_000_000 + r.Next(50_000_000)));
            }
        }

        return list;
    }

    private static string DocId(ref SimRandom r)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        Span<char> chars = stackalloc char[20];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[r.Next(alphabet.Length)];
        return new string(chars);
    }

    private static int StochasticRound(double x, ref SimRandom r)
    {
        var whole = Math.Floor(x);
        return (int)whole + (r.NextDouble() < x - whole ? 1 : 0);
    }

    private static long StableHash(string s)
    {
        var h = 1469598103934665603UL;
        foreach (var c in s) h = (h ^ c) * 1099511628211UL;
        return (long)(h >> 1);
    }
}
