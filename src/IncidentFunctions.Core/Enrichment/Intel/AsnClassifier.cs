namespace IncidentFunctions.Enrichment.Intel;

/// <summary>What an autonomous system's number and organisation name say about its addresses.</summary>
public readonly record struct AsnClass(SourceType SourceType, string? Provider, string Rule)
{
    public static AsnClass None { get; } = new(SourceType.Unknown, null, "");
}

/// <summary>
/// Cloud and datacenter detection from ASN data alone, so the offline defaults (country + ASN, no range lists) still
/// tell a cloud or hosting address from a residential one. Known cloud networks are matched by AS number first (names
/// are ambiguous: "Amazonas Telecom" is a Brazilian ISP), then by organisation-name phrases, then hosting keywords as
/// whole words or word starts. Range lists, where configured, outrank this.
/// </summary>
public static class AsnClassifier
{
    private static readonly Dictionary<long, string> CloudAsns = new()
    {
        [16509] = "AWS", [14618] = "AWS", [8987] = "AWS", [39111] = "AWS", [7224] = "AWS", [10124] = "AWS", [17493] = "AWS", [9059] = "AWS", [38895] = "AWS",
        [8075] = "Azure", [8068] = "Azure", [8069] = "Azure", [12076] = "Azure",
        [396982] = "Google Cloud", [15169] = "Google Cloud", [19527] = "Google Cloud", [139070] = "Google Cloud", [36040] = "Google Cloud",
        [31898] = "Oracle", [7160] = "Oracle",
        [13335] = "Cloudflare", [209242] = "Cloudflare",
        [14061] = "DigitalOcean", [200130] = "DigitalOcean", [393406] = "DigitalOcean", [394362] = "DigitalOcean",
        [45102] = "Alibaba Cloud", [37963] = "Alibaba Cloud",
        [132203] = "Tencent Cloud", [45090] = "Tencent Cloud",
        [63949] = "Linode", [20473] = "Vultr", [36351] = "IBM Cloud", [136907] = "Huawei Cloud",
    };

    private static readonly (string Phrase, string Provider)[] CloudPhrases =
    [
        ("amazon.com", "AWS"), ("amazon technologies", "AWS"), ("amazon data services", "AWS"), ("amazon web services", "AWS"),
        ("microsoft corporation", "Azure"), ("microsoft azure", "Azure"),
        ("google llc", "Google Cloud"), ("google cloud", "Google Cloud"),
        ("oracle corporation", "Oracle"), ("oracle public cloud", "Oracle"), ("oracle cloud", "Oracle"),
        ("cloudflare", "Cloudflare"), ("digitalocean", "DigitalOcean"),
        ("alibaba", "Alibaba Cloud"), ("aliyun", "Alibaba Cloud"), ("tencent", "Tencent Cloud"),
        ("linode", "Linode"), ("akamai connected cloud", "Linode"), ("vultr", "Vultr"), ("the constant company", "Vultr"), ("choopa", "Vultr"),
        ("softlayer", "IBM Cloud"), ("huawei cloud", "Huawei Cloud"),
    ];

    /// <summary>Whole words that mark hosting.</summary>
    private static readonly HashSet<string> HostingWords = new(StringComparer.Ordinal)
    {
        "host", "hosts", "hosting", "hoster", "srv", "vps", "vds", "dedicated", "colo", "cloud", "datacenter", "datacentre", "datacenters", "idc",
    };

    /// <summary>Word starts that mark hosting (serverius, colocation, datacenters…).</summary>
    private static readonly string[] HostingPrefixes = ["hosting", "server", "coloc", "datacent", "webhost"];

    /// <summary>Well-known hosting and datacenter operators whose names carry none of the keywords.</summary>
    private static readonly string[] HostingNames =
    [
        "hetzner", "ovh", "leaseweb", "contabo", "m247", "datacamp", "packethub", "psychz", "quadranet", "hivelocity", "zenlayer",
        "g-core", "gcore", "selectel", "timeweb", "aeza", "stark industries", "ionos", "strato", "hostinger", "godaddy", "namecheap",
        "netcup", "scaleway", "online s.a.s", "upcloud", "kamatera", "rackspace", "equinix", "servers.com", "colocrossing", "frantech",
        "buyvm", "ponynet", "hostwinds", "ramnode", "nforce", "worldstream", "i3d", "flokinet", "censys", "shodan", "fastly", "akamai",
        "limestone networks", "tzulo", "sharktech", "reliablesite", "data room", "ubiquity", "incero", "cogent data", "ielo",
    ];

    public static AsnClass Classify(long asn, string? organization)
    {
        if (CloudAsns.TryGetValue(asn, out var provider)) return new AsnClass(SourceType.CloudPlatform, provider, $"AS{asn} is a {provider} network");
        if (string.IsNullOrWhiteSpace(organization)) return AsnClass.None;

        var org = organization.ToLowerInvariant();
        foreach (var (phrase, cloud) in CloudPhrases)
        {
            if (org.Contains(phrase, StringComparison.Ordinal)) return new AsnClass(SourceType.CloudPlatform, cloud, $"organisation name contains '{phrase}'");
        }

        foreach (var name in HostingNames)
        {
            if (ContainsWordStart(org, name)) return new AsnClass(SourceType.Datacenter, null, $"organisation name names hosting operator '{name}'");
        }

        var words = org.Split([' ', ',', '.', '-', '_', '(', ')', '/', '&', '"', '\'', '!', ':'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (HostingWords.Contains(word) || HostingPrefixes.Any(p => word.StartsWith(p, StringComparison.Ordinal)))
            {
                return new AsnClass(SourceType.Datacenter, null, $"organisation name has hosting word '{word}'");
            }

            if (word == "data" && i + 1 < words.Length && (words[i + 1] is "center" or "centre" or "centers" or "centres"))
            {
                return new AsnClass(SourceType.Datacenter, null, "organisation name has 'data center'");
            }
        }

        return AsnClass.None;
    }

    /// <summary>True when <paramref name="name"/> occurs at the start of a word (so "ovh" matches "OVH SAS", not "Kovhar").</summary>
    private static bool ContainsWordStart(string text, string name)
    {
        for (var at = text.IndexOf(name, StringComparison.Ordinal); at >= 0; at = text.IndexOf(name, at + 1, StringComparison.Ordinal))
        {
            var startsWord = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var end = at + name.Length;
            var endsWordOrCompound = end == text.Length || !char.IsLetter(text[end]) || name.Length >= 5;
            if (startsWord && endsWordOrCompound) return true;
        }

        return false;
    }
}
