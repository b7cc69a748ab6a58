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

    /// <summary>
    /// The providers' public lists (<c>Enrichment:UsePublicFeeds</c>), for a deployed app that has no node_modules: the
    /// same ip-location-db files from the jsDelivr CDN (the URLs the packages' READMEs give), Tor, AWS, Google, Oracle,
    /// Cloudflare, DigitalOcean, Spamhaus DROP and FireHOL level1. Azure Service Tags are not here: their download URL
    /// changes weekly, so configure that source with the current URL. These URLs were not fetched from the build
    /// machine (no internet); the formats are the ones the parsers' tests pin.
    /// </summary>
    public static IReadOnlyList<IntelSourceOptions> PublicFeeds()
    {
        const string spamhaus = "Spamhaus DROP list, (c) The Spamhaus Project SLU, https://www.spamhaus.org/drop/";
        IntelSourceOptions Feed(string name, IntelSourceType type, string url, string? attribution = null, int minEntries = 1)
            => new() { Name = name, Type = type, Url = new Uri(url), Attribution = attribution, MinEntries = minEntries };
        return
        [
            Feed("ip-location-db-country", IntelSourceType.Mmdb, "https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb", CountryAttribution, 10_000),
            Feed("ip-location-db-asn-v4", IntelSourceType.IpLocationDbCsv, "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv4.csv", IpLocationDbAttribution, 10_000),
            Feed("ip-location-db-asn-v6", IntelSourceType.IpLocationDbCsv, "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv6.csv", IpLocationDbAttribution, 1_000),
            Feed("tor-exit-addresses", IntelSourceType.TorExitAddresses, "https://check.torproject.org/exit-addresses", minEntries: 100),
            Feed("tor-bulk-exit-list", IntelSourceType.TorBulkExitList, "https://check.torproject.org/torbulkexitlist", minEntries: 100),
            Feed("aws", IntelSourceType.AwsIpRanges, "https://ip-ranges.amazonaws.com/ip-ranges.json", minEntries: 1_000),
            Feed("google-cloud", IntelSourceType.GoogleCloudJson, "https://www.gstatic.com/ipranges/cloud.json", minEntries: 100),
            Feed("oracle", IntelSourceType.OracleCloudJson, "https://docs.oracle.com/iaas/tools/public_ip_ranges.json", minEntries: 100),
            Feed("cloudflare-v4", IntelSourceType.CloudflareIps, "https://www.cloudflare.com/ips-v4"),
            Feed("cloudflare-v6", IntelSourceType.CloudflareIps, "https://www.cloudflare.com/ips-v6"),
            Feed("digitalocean", IntelSourceType.CloudGeofeed, "https://www.digitalocean.com/geo/google.csv", minEntries: 100),
            Feed("spamhaus-drop-v4", IntelSourceType.SpamhausDropJson, "https://www.spamhaus.org/drop/drop_v4.json", spamhaus, 100),
            Feed("spamhaus-drop-v6", IntelSourceType.SpamhausDropJson, "https://www.spamhaus.org/drop/drop_v6.json", spamhaus),
            Feed("firehol_level1", IntelSourceType.IpList, "https://raw.githubusercontent.com/firehol/blocklist-ipsets/master/firehol_level1.netset", minEntries: 100),
        ];
    }

    /// <summary>
    /// The effective source list: configured sources first (they win ties), then the simulator's, the public feeds and
    /// the npm defaults; a later source with the name of an earlier one is left out.
    /// </summary>
    public static IReadOnlyList<IntelSourceOptions> Effective(EnrichmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = options.Sources.Where(s => s.Enabled).ToList();
        var names = new HashSet<string>(result.Select(s => s.Name), StringComparer.OrdinalIgnoreCase);
        var extra = new List<IntelSourceOptions>();
        if (options.SimulatorFeeds is { } simulator) extra.AddRange(SimulatorFeeds(simulator));
        if (options.UsePublicFeeds) extra.AddRange(PublicFeeds());
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
