using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Enrichment;

/// <summary>Ready-made source lists: the offline defaults and the Wallarm simulator's feeds.</summary>
public static class IntelSourcePresets
{
    public const string IpLocationDbAttribution =
        "IP to ASN data: ip-location-db asn (CC BY 4.0) by RouteViews, NRO and DB-IP (IP Geolocation by DB-IP, https://db-ip.com)";

    public const string CountryAttribution =
        "IP to country data: ip-location-db geo-whois-asn-country (CC0), built from RIR data published by the NRO (CC BY 4.0)";

    /// <summary>Feed paths the simulator serves (<c>IntelFeeds</c> in the simulator answers exactly these).</summary>
    public static class SimulatorPaths
    {
        public const string TorBulk = "intel/tor/torbulkexitlist";
        public const string TorExitAddresses = "intel/tor/exit-addresses";
        public const string Aws = "intel/aws/ip-ranges.json";
        public const string Azure = "intel/azure/ServiceTags_Public.json";
        public const string Google = "intel/google/cloud.json";
        public const string Oracle = "intel/oracle/public_ip_ranges.json";
        public const string CloudflareV4 = "intel/cloudflare/ips-v4";
        public const string CloudflareV6 = "intel/cloudflare/ips-v6";
        public const string DigitalOcean = "intel/digitalocean/google.csv";
        public const string FireholLevel1 = "intel/firehol/firehol_level1.netset";
        public const string FireholProxies = "intel/firehol/firehol_proxies.netset";
        public const string SpamhausDropV4 = "intel/spamhaus/drop_v4.json";
        public const string SpamhausDropV6 = "intel/spamhaus/drop_v6.json";
        public const string VpnIpv4 = "intel/x4bnet/vpn/ipv4.txt";
    }

    /// <summary>
    /// The npm packages installed by the repository's <c>npm ci</c> (root package.json): real country and ASN data on a
    /// fresh clone with no account or key. Optional: a deployed app has no node_modules and skips them.
    /// </summary>
    public static IReadOnlyList<IntelSourceOptions> Defaults() =>
    [
        new()
        {
            Name = "ip-location-db-country",
            Type = IntelSourceType.Mmdb,
            Path = "node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
            Attribution = CountryAttribution,
            License = "CC0-1.0",
            MinEntries = 10_000,
            Optional = true,
        },
        new()
        {
            Name = "ip-location-db-asn-v4",
            Type = IntelSourceType.IpLocationDbCsv,
            Path = "node_modules/@ip-location-db/asn/asn-ipv4.csv",
            Attribution = IpLocationDbAttribution,
            License = "CC-BY-4.0",
            MinEntries = 10_000,
            Optional = true,
        },
        new()
        {
            Name = "ip-location-db-asn-v6",
            Type = IntelSourceType.IpLocationDbCsv,
            Path = "node_modules/@ip-location-db/asn/asn-ipv6.csv",
            Attribution = IpLocationDbAttribution,
            License = "CC-BY-4.0",
            MinEntries = 1_000,
            Optional = true,
        },
    ];

    /// <summary>
    /// Every feed of a Wallarm simulator at <paramref name="baseUrl"/> (set <c>Enrichment:SimulatorFeeds</c>): Tor
    /// lists, the six cloud range formats, reputation lists (one names 10.0.0.0/8, which the bogon guard must ignore),
    /// and VPN/proxy lists, all consistent with the addresses the simulator puts in incidents.
    /// </summary>
    public static IReadOnlyList<IntelSourceOptions> SimulatorFeeds(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        IntelSourceOptions Feed(string name, IntelSourceType type, string path, string? attribution = null, IntelListCategory category = IntelListCategory.Malicious)
            => new() { Name = name, Type = type, Url = new Uri(root, path), Attribution = attribution, Category = category };
        return
        [
            Feed("tor-exit-addresses", IntelSourceType.TorExitAddresses, SimulatorPaths.TorExitAddresses),
            Feed("tor-bulk-exit-list", IntelSourceType.TorBulkExitList, SimulatorPaths.TorBulk),
            Feed("aws", IntelSourceType.AwsIpRanges, SimulatorPaths.Aws),
            Feed("azure", IntelSourceType.AzureServiceTags, SimulatorPaths.Azure),
            Feed("google-cloud", IntelSourceType.GoogleCloudJson, SimulatorPaths.Google),
            Feed("oracle", IntelSourceType.OracleCloudJson, SimulatorPaths.Oracle),
            Feed("cloudflare-v4", IntelSourceType.CloudflareIps, SimulatorPaths.CloudflareV4),
            Feed("cloudflare-v6", IntelSourceType.CloudflareIps, SimulatorPaths.CloudflareV6),
            Feed("digitalocean", IntelSourceType.CloudGeofeed, SimulatorPaths.DigitalOcean),
            Feed("firehol_level1", IntelSourceType.IpList, SimulatorPaths.FireholLevel1),
            Feed("spamhaus-drop-v4", IntelSourceType.SpamhausDropJson, SimulatorPaths.SpamhausDropV4, "Spamhaus DROP list, (c) The Spamhaus Project SLU, https://www.spamhaus.org/drop/"),
            Feed("spamhaus-drop-v6", IntelSourceType.SpamhausDropJson, SimulatorPaths.SpamhausDropV6, "Spamhaus DROP list, (c) The Spamhaus Project SLU, https://www.spamhaus.org/drop/"),
            Feed("x4bnet-vpn", IntelSourceType.IpList, SimulatorPaths.VpnIpv4, category: IntelListCategory.Vpn),
            Feed("firehol_proxies", IntelSourceType.IpList, SimulatorPaths.FireholProxies, category: IntelListCategory.PublicProxy),
        ];
    }

    /// <summary>The effective source list: configured sources first (they win ties), then the simulator's, then the defaults.</summary>
    public static IReadOnlyList<IntelSourceOptions> Effective(EnrichmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = options.Sources.Where(s => s.Enabled).ToList();
        var names = new HashSet<string>(result.Select(s => s.Name), StringComparer.OrdinalIgnoreCase);
        var extra = new List<IntelSourceOptions>();
        if (options.SimulatorFeeds is { } simulator) extra.AddRange(SimulatorFeeds(simulator));
        if (options.UseDefaultSources) extra.AddRange(Defaults());
        result.AddRange(extra.Where(s => names.Add(s.Name)));
        return result;
    }
}

/// <summary>Finds a source's local file: an absolute path as is; a relative one from the app's folders and their parents.</summary>
public static class IntelPaths
{
    public static string? Resolve(string path, params string?[] startDirectories)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (System.IO.Path.IsPathRooted(path)) return File.Exists(path) ? path : null;
        foreach (var start in startDirectories.Append(Directory.GetCurrentDirectory()).Append(AppContext.BaseDirectory))
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, path);
                if (File.Exists(candidate)) return candidate;
            }
        }

        return null;
    }
}
