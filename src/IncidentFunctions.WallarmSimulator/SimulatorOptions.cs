namespace IncidentFunctions.WallarmSimulator;

/// <summary>What kind of source an address pool stands for; enrichment tests and the demo rely on these.</summary>
public enum IpPoolKind
{
    Residential,
    Tor,
    Cloud,
    Datacenter,
    Proxy,
    Vpn,
    Malicious,
    Private,
}

/// <summary>
/// A weighted pool of attacker addresses. Each pool yields a fixed set of <see cref="SimulatorOptions.AddressesPerPool"/>
/// addresses drawn from its networks, so the same attackers come back across incidents as they do in real traffic.
/// </summary>
public sealed class IpPool
{
    public string Name { get; set; } = "";

    public IpPoolKind Kind { get; set; }

    /// <summary>For cloud pools: the provider (<c>AWS</c>, <c>Azure</c>, <c>Google Cloud</c>, …).</summary>
    public string? Provider { get; set; }

    /// <summary>For cloud pools: the region or service as the provider's range list names it.</summary>
    public string? Region { get; set; }

    /// <summary>ISO country the simulator reports in <c>ip_top[].country</c> for this pool.</summary>
    public string Country { get; set; } = "US";

    public double Weight { get; set; } = 1;

    /// <summary>CIDR networks (IPv4 or IPv6) addresses are drawn from.</summary>
    public List<string> Networks { get; set; } = [];
}

/// <summary>Settings of the Wallarm API simulator. Bound from the <c>Simulator</c> section or set in tests.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>Same seed, same data: every incident, IP and vulnerability derives from it.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Average incidents starting per day (the volume).</summary>
    public double IncidentsPerDay { get; set; } = 200;

    /// <summary>Average plain attacks (no vulnerability) per day; the incident filter must leave them out.</summary>
    public double PlainAttacksPerDay { get; set; } = 100;

    public long ClientId { get; set; } = 5;

    public string ClientName { get; set; } = "Example Shop GmbH";

    public string ApiToken { get; set; } = "FAKE-simulator-token";

    /// <summary>Longest incident; the generator looks back this far for incidents still active in a window.</summary>
    public TimeSpan MaxIncidentDuration { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Share of incidents carrying hostile text (bidi overrides, mentions, markup, CJK, emoji, very long paths).</summary>
    public double HostileTextShare { get; set; } = 0.02;

    public int AddressesPerPool { get; set; } = 40;

    /// <summary>What the <c>time</c> filter matches at start (switchable while running: <see cref="SimulatorState.TimeFilter"/>).</summary>
    public TimeFilterMeaning TimeFilter { get; set; } = TimeFilterMeaning.Overlap;

    /// <summary>
    /// Data moving during paging: every attack-list request moves the simulator's clock on by this much, so ongoing
    /// attacks gain hits and jump to the first page while a client pages (switchable: <see cref="SimulatorState.DriftPerRequest"/>).
    /// </summary>
    public TimeSpan DriftPerRequest { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The deepest record offset paging reaches (0: none). Nothing documents one for <c>/v1/objects/attack</c>, but
    /// search-engine backends commonly refuse <c>offset + limit</c> beyond a result window (Elasticsearch: 10,000)
    /// with a 400; a page asked beyond this one is refused so.
    /// </summary>
    public int MaxResultWindow { get; set; }

    /// <summary>Late data: each attack shows up a random delay of up to this much after its first hit (0: at once).</summary>
    public TimeSpan MaxArrivalDelay { get; set; } = TimeSpan.Zero;

    public List<string> Domains { get; set; } = ["shop.example.com", "api.example.com", "admin.example.net", "auth.example.org", "static.example.com", "partners.example.io"];

    public List<IpPool> IpPools { get; set; } = DefaultPools();

    /// <summary>
    /// Pools in real, routed address space, so offline geo/ASN data (ip-location-db) answers with real countries and
    /// organisations. Tor networks are relays that have been exits for years (Zwiebelfreunde, Emerald Onion,
    /// nothingtohide.nl); private addresses appear because some reputation lists wrongly list 10.0.0.0/8.
    /// The intel feeds (<see cref="IntelFeeds"/>) list these pools by kind.
    /// </summary>
    public static List<IpPool> DefaultPools() =>
    [
        new() { Name = "comcast", Kind = IpPoolKind.Residential, Country = "US", Weight = 6, Networks = ["73.0.0.0/12", "2601::/24"] },
        new() { Name = "virgin-media", Kind = IpPoolKind.Residential, Country = "GB", Weight = 3, Networks = ["86.0.0.0/12"] },
        new() { Name = "vodafone-de", Kind = IpPoolKind.Residential, Country = "DE", Weight = 3, Networks = ["91.64.0.0/14", "2a02:8108::/32"] },
        new() { Name = "vnpt", Kind = IpPoolKind.Residential, Country = "VN", Weight = 3, Networks = ["113.160.0.0/12"] },
        new() { Name = "airtel-in", Kind = IpPoolKind.Residential, Country = "IN", Weight = 3, Networks = ["122.160.0.0/13"] },
        new() { Name = "telefonica-br", Kind = IpPoolKind.Residential, Country = "BR", Weight = 3, Networks = ["177.0.0.0/14"] },
        new() { Name = "beeline", Kind = IpPoolKind.Residential, Country = "RU", Weight = 2, Networks = ["95.24.0.0/13"] },
        new() { Name = "chinanet", Kind = IpPoolKind.Residential, Country = "CN", Weight = 4, Networks = ["116.0.0.0/14", "222.128.0.0/14"] },
        new() { Name = "tor-exits", Kind = IpPoolKind.Tor, Country = "DE", Weight = 3, Networks = ["185.220.100.0/22", "192.42.116.0/24", "199.249.230.0/24"] },
        new() { Name = "aws-us-east-1", Kind = IpPoolKind.Cloud, Provider = "AWS", Region = "us-east-1", Country = "US", Weight = 3, Networks = ["3.80.0.0/12", "54.160.0.0/12"] },
        new() { Name = "azure-westeurope", Kind = IpPoolKind.Cloud, Provider = "Azure", Region = "westeurope", Country = "NL", Weight = 2, Networks = ["20.50.0.0/16", "40.114.0.0/16"] },
        new() { Name = "gcp-us-central1", Kind = IpPoolKind.Cloud, Provider = "Google Cloud", Region = "us-central1", Country = "US", Weight = 2, Networks = ["34.66.0.0/15", "35.184.0.0/14"] },
        new() { Name = "oracle-ashburn", Kind = IpPoolKind.Cloud, Provider = "Oracle", Region = "us-ashburn-1", Country = "US", Weight = 1, Networks = ["150.136.0.0/16"] },
        new() { Name = "digitalocean", Kind = IpPoolKind.Cloud, Provider = "DigitalOcean", Region = "fra1", Country = "DE", Weight = 2, Networks = ["159.89.0.0/16", "167.99.0.0/16"] },
        new() { Name = "hetzner", Kind = IpPoolKind.Datacenter, Country = "DE", Weight = 2, Networks = ["5.9.0.0/16", "49.12.0.0/16"] },
        new() { Name = "ovh", Kind = IpPoolKind.Datacenter, Country = "FR", Weight = 2, Networks = ["51.68.0.0/16", "137.74.0.0/16"] },
        new() { Name = "bulletproof", Kind = IpPoolKind.Malicious, Country = "NL", Weight = 2, Networks = ["45.148.10.0/24", "193.142.146.0/24"] },
        new() { Name = "scanners", Kind = IpPoolKind.Malicious, Country = "US", Weight = 1, Networks = ["167.94.138.0/24", "162.142.125.0/24"] },
        new() { Name = "private", Kind = IpPoolKind.Private, Country = "", Weight = 0.5, Networks = ["10.20.0.0/16", "192.168.10.0/24"] },
        // Appended last so the pools above keep their addresses. VPN exits in M247/PacketHub space, open proxies on an ISP.
        new() { Name = "vpn-exits", Kind = IpPoolKind.Vpn, Country = "NL", Weight = 1, Networks = ["2.56.16.0/22", "2.58.36.0/22"] },
        new() { Name = "open-proxies", Kind = IpPoolKind.Proxy, Country = "EC", Weight = 1, Networks = ["181.112.0.0/21", "181.113.0.0/21"] },
    ];
}
