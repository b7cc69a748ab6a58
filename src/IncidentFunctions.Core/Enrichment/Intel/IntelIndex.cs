namespace IncidentFunctions.Enrichment.Intel;

/// <summary>What the index holds for one address: ids into the index's value tables (-1 when nothing matched).</summary>
public readonly record struct IntelMatch(string? BogonReason, int Geo, int Asn, int Anonymity, int Cloud, ulong Lists, int Tor)
{
    public static IntelMatch Bogon(string reason) => new(reason, -1, -1, -1, -1, 0, -1);
}

/// <summary>An exit address across all Tor sources: first and last listing, whether a latest list still names it, and which source said so.</summary>
public readonly record struct TorEntry(DateTimeOffset FirstListed, DateTimeOffset LastListed, bool Current, int Source);

/// <summary>
/// Every source of a snapshot flattened into one lookup structure per layer. Within a layer the smallest range wins,
/// then the source configured first; reputation and category lists combine (an address can be on several). Built once
/// per snapshot version and then only read, so lookups need no locks.
/// </summary>
public sealed class IntelIndex
{
    private readonly SegmentIndex<int> _geo;
    private readonly SegmentIndex<int> _asn;
    private readonly SegmentIndex<int> _anonymity;
    private readonly SegmentIndex<int> _cloud;
    private readonly SegmentIndex<ulong> _lists;
    private readonly Dictionary<UInt128, int> _tor;
    private readonly Dictionary<long, ulong> _listedAsns;

    private IntelIndex(
        IntelSnapshot snapshot,
        SegmentIndex<int> geo, (int Source, GeoValue Value)[] geoValues,
        SegmentIndex<int> asn, (int Source, AsnValue Value, AsnClass Class)[] asnValues,
        SegmentIndex<int> anonymity, (int Source, AnonymityTraits Value)[] anonymityValues,
        SegmentIndex<int> cloud, (int Source, CloudValue Value)[] cloudValues,
        SegmentIndex<ulong> lists, int[] listSources,
        Dictionary<UInt128, int> tor, TorEntry[] torEntries,
        Dictionary<long, ulong> listedAsns)
    {
        Snapshot = snapshot;
        _geo = geo;
        GeoValues = geoValues;
        _asn = asn;
        AsnValues = asnValues;
        _anonymity = anonymity;
        AnonymityValues = anonymityValues;
        _cloud = cloud;
        CloudValues = cloudValues;
        _lists = lists;
        ListSources = listSources;
        _tor = tor;
        TorEntries = torEntries;
        _listedAsns = listedAsns;
    }

    public IntelSnapshot Snapshot { get; }

    public string Version => Snapshot.Version;

    public IReadOnlyList<(int Source, GeoValue Value)> GeoValues { get; }

    public IReadOnlyList<(int Source, AsnValue Value, AsnClass Class)> AsnValues { get; }

    public IReadOnlyList<(int Source, AnonymityTraits Value)> AnonymityValues { get; }

    public IReadOnlyList<(int Source, CloudValue Value)> CloudValues { get; }

    /// <summary>Bit i of <see cref="IntelMatch.Lists"/> stands for source <c>ListSources[i]</c>.</summary>
    public IReadOnlyList<int> ListSources { get; }

    public IReadOnlyList<TorEntry> TorEntries { get; }

    public IntelSourceInfo SourceInfo(int source) => Snapshot.Sources[source].Info;

    public int SegmentCount => _geo.SegmentCount + _asn.SegmentCount + _anonymity.SegmentCount + _cloud.SegmentCount + _lists.SegmentCount;

    public IntelMatch Lookup(UInt128 address)
    {
        if (BogonRegistry.ReasonFor(address) is { } reason) return IntelMatch.Bogon(reason);
        var asn = _asn.Find(address);
        var lists = _lists.Find(address);
        if (asn >= 0 && _listedAsns.Count > 0 && _listedAsns.TryGetValue(AsnValues[asn].Value.Asn, out var byAsn)) lists |= byAsn;
        return new IntelMatch(
            null,
            _geo.Find(address),
            asn,
            _anonymity.Find(address),
            _cloud.Find(address),
            lists,
            _tor.Count > 0 && _tor.TryGetValue(address, out var tor) ? tor : -1);
    }

    public static IntelIndex Build(IntelSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var sources = snapshot.Sources;
        var (geo, geoValues) = Layer(sources, c => c.Geo, static (s, v) => (s, v));
        var (asn, asnValues) = Layer(sources, c => c.Asn, static (s, v) => (s, v, AsnClassifier.Classify(v.Asn, v.Organization)));
        var (anonymity, anonymityValues) = Layer(sources, c => c.Anonymity, static (s, v) => (s, v));
        var (cloud, cloudValues) = Layer(sources, c => c.Cloud, static (s, v) => (s, v));

        // Lists: one bit per list source, in source order.
        var listSources = new List<int>();
        var listRanges = new RangeCollector(Math.Max(16, sources.Sum(s => s.Content.Listed?.Count ?? 0)));
        var listedAsns = new Dictionary<long, ulong>();
        for (var s = 0; s < sources.Count; s++)
        {
            var content = sources[s].Content;
            if (content.Listed is null && content.ListedAsns is null) continue;
            if (listSources.Count == 64) throw new InvalidOperationException("At most 64 list sources can be loaded at once.");
            var bit = listSources.Count;
            listSources.Add(s);
            if (content.Listed is { } listed)
            {
                for (var i = 0; i < listed.Count; i++) listRanges.AddExact(listed.Starts[i], listed.Ends[i], bit);
            }

            foreach (var a in content.ListedAsns ?? [])
            {
                listedAsns[a] = listedAsns.GetValueOrDefault(a) | (1UL << bit);
            }
        }

        // Tor: one entry per address across sources; the widest span wins, still listed if any latest list names it.
        var tor = new Dictionary<UInt128, int>();
        var torEntries = new List<TorEntry>();
        for (var s = 0; s < sources.Count; s++)
        {
            foreach (var listing in sources[s].Content.Tor ?? [])
            {
                if (tor.TryGetValue(listing.Address, out var id))
                {
                    var known = torEntries[id];
                    torEntries[id] = new TorEntry(
                        listing.FirstListed < known.FirstListed ? listing.FirstListed : known.FirstListed,
                        listing.LastListed > known.LastListed ? listing.LastListed : known.LastListed,
                        known.Current || listing.Current,
                        listing.LastListed > known.LastListed ? s : known.Source);
                }
                else
                {
                    tor[listing.Address] = torEntries.Count;
                    torEntries.Add(new TorEntry(listing.FirstListed, listing.LastListed, listing.Current, s));
                }
            }
        }

        return new IntelIndex(
            snapshot,
            geo, geoValues,
            asn, asnValues,
            anonymity, anonymityValues,
            cloud, cloudValues,
            SegmentBuilder.UnionMask(listRanges), [.. listSources],
            tor, [.. torEntries],
            listedAsns);
    }

    /// <summary>One layer over all sources: value ids become global (source, value) ids; sources are added in priority order.</summary>
    private static (SegmentIndex<int> Index, TEntry[] Values) Layer<T, TEntry>(
        IReadOnlyList<IntelSourceData> sources, Func<IntelSourceContent, RangeTable<T>?> select, Func<int, T, TEntry> entry)
        where T : notnull
    {
        var total = 0;
        foreach (var source in sources) total += select(source.Content)?.Count ?? 0;
        var ranges = new RangeCollector(Math.Max(16, total));
        var values = new List<TEntry>();
        for (var s = 0; s < sources.Count; s++)
        {
            if (select(sources[s].Content) is not { } table) continue;
            var offset = values.Count;
            foreach (var value in table.Values) values.Add(entry(s, value));
            var r = table.Ranges;
            for (var i = 0; i < r.Count; i++) ranges.AddExact(r.Starts[i], r.Ends[i], offset + r.Values[i]);
        }

        return (SegmentBuilder.SmallestWins(ranges), values.ToArray());
    }
}
