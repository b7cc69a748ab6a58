using System.Text.Json.Serialization;

namespace IncidentFunctions.Enrichment.Intel;

/// <summary>The formats a configured intel source can have; each is parsed for real (see <see cref="IntelParsers"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntelSourceType>))]
public enum IntelSourceType
{
    /// <summary>Any MaxMind DB file: MaxMind GeoIP2/GeoLite2 City, Country, ASN, Anonymous-IP; DB-IP Lite; IPinfo Lite; ip-location-db.</summary>
    Mmdb,

    /// <summary>ip-location-db range CSV: <c>start,end,asn,org</c> (ASN) or <c>start,end,cc</c> (country); addresses or numbers.</summary>
    IpLocationDbCsv,

    /// <summary>iptoasn TSV (<c>ip2asn-v4.tsv</c>, <c>-v6</c>, <c>-combined</c>, optionally .gz): start, end, AS number, country, description.</summary>
    IpToAsnTsv,

    /// <summary>Tor Project bulk exit list: one address per line.</summary>
    TorBulkExitList,

    /// <summary>Tor Project <c>exit-addresses</c>: ExitNode / Published / LastStatus / ExitAddress records.</summary>
    TorExitAddresses,

    /// <summary>AWS <c>ip-ranges.json</c>.</summary>
    AwsIpRanges,

    /// <summary>Azure Service Tags JSON (<c>ServiceTags_Public_*.json</c>).</summary>
    AzureServiceTags,

    /// <summary>Google Cloud <c>cloud.json</c>.</summary>
    GoogleCloudJson,

    /// <summary>Oracle Cloud <c>public_ip_ranges.json</c>.</summary>
    OracleCloudJson,

    /// <summary>Plain CIDR lines naming one provider's ranges, as Cloudflare's <c>ips-v4</c>/<c>ips-v6</c>.</summary>
    CloudflareIps,

    /// <summary>RFC 8805 geofeed CSV of a cloud provider (DigitalOcean <c>google.csv</c>): prefix, country, region, city, postal.</summary>
    CloudGeofeed,

    /// <summary>netset or plain address/CIDR list (FireHOL, blocklist.de, CINS, IPsum, ET compromised, VPN/proxy lists).</summary>
    IpList,

    /// <summary>Spamhaus DROP JSON lines (<c>drop_v4.json</c>, <c>drop_v6.json</c>, <c>asndrop.json</c>).</summary>
    SpamhausDropJson,
}

/// <summary>What an <see cref="IntelSourceType.IpList"/> says about the addresses it names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntelListCategory>))]
public enum IntelListCategory
{
    /// <summary>A reputation list: listed addresses get the malicious label with the list's name.</summary>
    Malicious,
    Vpn,
    PublicProxy,
    WebProxy,
    Datacenter,
}

/// <summary>Country and, where the database has them, region and city.</summary>
public sealed record GeoValue(string CountryCode, string? CountryName, string? Region, string? City);

/// <summary>Autonomous system number and its organisation.</summary>
public sealed record AsnValue(long Asn, string? Organization);

/// <summary>A cloud provider's range with the region and service its list names.</summary>
public sealed record CloudValue(string Provider, string? Region, string? Service);

/// <summary>Flags of MaxMind's Anonymous-IP schema.</summary>
[Flags]
public enum AnonymityTraits
{
    None = 0,
    Anonymous = 1,
    Vpn = 2,
    HostingProvider = 4,
    PublicProxy = 8,
    ResidentialProxy = 16,
    TorExit = 32,
}

/// <summary>
/// A Tor exit address and the span of time the exit lists named it. <see cref="Current"/>: the source's latest list
/// still names it, so it counts as an exit from <see cref="FirstListed"/> on with no end yet; entries kept from earlier
/// lists (history) end at <see cref="LastListed"/>.
/// </summary>
public readonly record struct TorListing(UInt128 Address, DateTimeOffset FirstListed, DateTimeOffset LastListed, bool Current = true);

/// <summary>Ranges of one source with a value each, values stored once (a city database repeats few distinct records).</summary>
public sealed class RangeTable<T>
    where T : notnull
{
    private readonly Dictionary<T, int> _ids = [];

    public RangeTable(int capacity = 16) => Ranges = new RangeCollector(capacity);

    /// <summary>Wraps ranges read back from a snapshot, whose value ids index <paramref name="values"/>.</summary>
    internal RangeTable(RangeCollector ranges, List<T> values)
    {
        Ranges = ranges;
        Values = values;
        for (var i = 0; i < values.Count; i++) _ids.TryAdd(values[i], i);
    }

    public RangeCollector Ranges { get; }

    public List<T> Values { get; } = [];

    public int Count => Ranges.Count;

    public void Add(IpRange range, T value) => Ranges.Add(range, IdOf(value));

    internal void AddExact(UInt128 start, UInt128 end, int valueId) => Ranges.AddExact(start, end, valueId);

    public int IdOf(T value)
    {
        if (!_ids.TryGetValue(value, out var id))
        {
            id = Values.Count;
            Values.Add(value);
            _ids[value] = id;
        }

        return id;
    }
}

/// <summary>What one source contributes, parsed; which layers are set depends on the source's format.</summary>
public sealed class IntelSourceContent
{
    public RangeTable<GeoValue>? Geo { get; set; }

    public RangeTable<AsnValue>? Asn { get; set; }

    public RangeTable<AnonymityTraits>? Anonymity { get; set; }

    public RangeTable<CloudValue>? Cloud { get; set; }

    /// <summary>Addresses a list names (reputation or a category such as VPN).</summary>
    public RangeCollector? Listed { get; set; }

    /// <summary>Autonomous systems a list names (Spamhaus ASN-DROP).</summary>
    public HashSet<long>? ListedAsns { get; set; }

    public List<TorListing>? Tor { get; set; }

    /// <summary>Dataset version the content itself states (syncToken, changeNumber, MMDB build…), if any.</summary>
    public string? DatasetVersion { get; set; }

    /// <summary>Dataset date the content itself states, if any.</summary>
    public DateTimeOffset? DatasetDate { get; set; }

    /// <summary>Lines or records that were skipped as unreadable.</summary>
    public int InvalidEntries { get; set; }

    public int Entries
        => (Geo?.Count ?? 0) + (Asn?.Count ?? 0) + (Anonymity?.Count ?? 0) + (Cloud?.Count ?? 0) + (Listed?.Count ?? 0)
           + (ListedAsns?.Count ?? 0) + (Tor?.Count ?? 0);
}

/// <summary>Where a source's data came from and which dataset it is: the provenance every enriched field points at.</summary>
public sealed record IntelSourceInfo
{
    public required string Name { get; init; }

    public required IntelSourceType Type { get; init; }

    /// <summary>URL or file the data was read from.</summary>
    public required string Location { get; init; }

    public IntelListCategory? Category { get; init; }

    public string? Provider { get; init; }

    public string? DatasetVersion { get; init; }

    public DateTimeOffset? DatasetDate { get; init; }

    public required DateTimeOffset FetchedAt { get; init; }

    public string? ETag { get; init; }

    public DateTimeOffset? LastModified { get; init; }

    /// <summary>The line the data's licence asks users to show (reports print it).</summary>
    public string? Attribution { get; init; }

    public string? License { get; init; }

    public int Entries { get; init; }

    public long Bytes { get; init; }

    /// <summary>SHA-256 of the raw content, hex; a re-download with the same hash is the same dataset.</summary>
    public string? ContentHash { get; init; }
}

/// <summary>One source in a snapshot: where it came from and what it holds.</summary>
public sealed class IntelSourceData(IntelSourceInfo info, IntelSourceContent content)
{
    public IntelSourceInfo Info { get; } = info;

    public IntelSourceContent Content { get; } = content;
}

/// <summary>A versioned set of compiled sources: what RefreshIntel publishes and enrichment loads.</summary>
public sealed class IntelSnapshot(string version, DateTimeOffset createdAt, IReadOnlyList<IntelSourceData> sources)
{
    public string Version { get; } = version;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public IReadOnlyList<IntelSourceData> Sources { get; } = sources;

    /// <summary>Attribution lines the sources' licences require, in source order, without repeats.</summary>
    public IReadOnlyList<string> Attributions
        => Sources.Select(s => s.Info.Attribution).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!).Distinct(StringComparer.Ordinal).ToList();

    public static IntelSnapshot Empty(DateTimeOffset createdAt) => new("empty", createdAt, []);
}

/// <summary>Content that is not what its format says (truncated JSON, an HTML error page, a corrupt MMDB…).</summary>
public sealed class IntelFormatException : Exception
{
    public IntelFormatException()
    {
    }

    public IntelFormatException(string message)
        : base(message)
    {
    }

    public IntelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
