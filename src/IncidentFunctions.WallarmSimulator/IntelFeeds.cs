using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>
/// IP intelligence feeds in their real formats, consistent with the addresses the simulator puts in incidents: Tor
/// pools appear in the Tor exit lists, cloud pools in their provider's range file, malicious pools in the reputation
/// lists (one of which also lists 10.0.0.0/8 and other bogons, as FireHOL level1 does), VPN and proxy pools in
/// category lists. Residential and datacenter pools appear in none: enrichment must tell them apart by ASN.
/// Feeds answer conditional requests (ETag / Last-Modified) like the real servers.
/// </summary>
public static class IntelFeeds
{
    /// <summary>Cloudflare's published ranges (ips-v4 / ips-v6).</summary>
    private static readonly string[] CloudflareV4 =
    [
        "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18", "108.162.192.0/18", "190.93.240.0/20",
        "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    ];

    private static readonly string[] CloudflareV6 = ["2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32"];

    private static readonly string[] NetworkFeatures = ["API", "NSG", "UDR", "FW"];

    private static readonly string[] Bogons = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"];

    /// <summary>Each feed by relative path (matching <c>IntelSourcePresets.SimulatorPaths</c> in the app): its renderer, content type and Last-Modified.</summary>
    private static readonly Dictionary<string, Func<SimulatorState, FeedTimes, (string Body, string ContentType, DateTimeOffset LastModified)>> Feeds = new(StringComparer.Ordinal)
    {
        ["intel/tor/torbulkexitlist"] = (s, t) => (TorBulk(s), "text/plain", t.Hour),
        ["intel/tor/exit-addresses"] = (s, t) => (TorExitAddresses(s, t.Now), "text/plain", t.Hour),
        ["intel/aws/ip-ranges.json"] = (s, t) => (Aws(s, t.Published), "application/json", t.Published),
        ["intel/azure/ServiceTags_Public.json"] = (s, t) => (Azure(s), "application/json", t.Published),
        ["intel/google/cloud.json"] = (s, t) => (Google(s, t.Published), "application/json", t.Published),
        ["intel/oracle/public_ip_ranges.json"] = (s, t) => (Oracle(s, t.Published), "application/json", t.Published),
        ["intel/cloudflare/ips-v4"] = (s, t) => (Lines(CloudflareV4.Concat(Networks(s, IpPoolKind.Cloud, "Cloudflare"))), "text/plain", t.Published),
        ["intel/cloudflare/ips-v6"] = (_, t) => (Lines(CloudflareV6), "text/plain", t.Published),
        ["intel/digitalocean/google.csv"] = (s, t) => (DigitalOcean(s), "text/csv", t.Published),
        ["intel/firehol/firehol_level1.netset"] = (s, t) => (Netset("firehol_level1", "Malicious networks and bogons (simulated FireHOL level1)", t.Published, Bogons.Concat(Networks(s, IpPoolKind.Malicious))), "text/plain", t.Published),
        ["intel/firehol/firehol_proxies.netset"] = (s, t) => (Netset("firehol_proxies", "Open proxies (simulated)", t.Published, Addresses(s, IpPoolKind.Proxy)), "text/plain", t.Published),
        ["intel/spamhaus/drop_v4.json"] = (s, t) => (SpamhausDrop(s, t.Published, v6: false), "application/json", t.Published),
        ["intel/spamhaus/drop_v6.json"] = (s, t) => (SpamhausDrop(s, t.Published, v6: true), "application/json", t.Published),
        ["intel/x4bnet/vpn/ipv4.txt"] = (s, t) => (Lines(Networks(s, IpPoolKind.Vpn)), "text/plain", t.Published),
    };

    /// <summary>Relative paths of the feeds the simulator serves.</summary>
    public static IReadOnlyCollection<string> Paths => Feeds.Keys;

    public static IEndpointRouteBuilder MapIntelFeeds(this IEndpointRouteBuilder endpoints, SimulatorState state)
    {
        foreach (var path in Paths)
        {
            endpoints.MapGet("/" + path, (HttpContext ctx) => ServeAsync(ctx, state, path));
        }

        return endpoints;
    }

    /// <summary>The feed's body and content type as of the simulator's "now"; null for an unknown path.</summary>
    public static (string Body, string ContentType, DateTimeOffset LastModified)? Render(SimulatorState state, string path)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Feeds.TryGetValue(path, out var render)) return null;
        var now = state.Time.GetUtcNow();
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        // The providers republish their range lists every day or so: "published" at the start of the simulator's day, up
        // to two days earlier by seed, as a live feed would be (reports warn about labels from data a month old).
        var published = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-(state.Options.Seed % 3));
        return render(state, new FeedTimes(now, hour, published));
    }

    /// <summary>The simulator's now, its hour (Tor lists change hourly) and the day the range lists were "published".</summary>
    private readonly record struct FeedTimes(DateTimeOffset Now, DateTimeOffset Hour, DateTimeOffset Published);

    private static async Task ServeAsync(HttpContext ctx, SimulatorState state, string path)
    {
        var (body, contentType, lastModified) = Render(state, path)!.Value;
        var bytes = Encoding.UTF8.GetBytes(body);
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
        var ifNoneMatch = ctx.Request.Headers.IfNoneMatch.ToString();
        var notModified = ifNoneMatch.Length > 0
            ? ifNoneMatch.Split(',').Select(t => t.Trim()).Any(t => t == etag || t == "W/" + etag || t == "*")
            : DateTimeOffset.TryParse(ctx.Request.Headers.IfModifiedSince.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) && lastModified <= since;
        ctx.Response.Headers.ETag = etag;
        ctx.Response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
        var status = notModified ? StatusCodes.Status304NotModified : StatusCodes.Status200OK;
        state.Requests.Add(new RecordedRequest("/" + path, $"If-None-Match: {ifNoneMatch}; If-Modified-Since: {ctx.Request.Headers.IfModifiedSince}", true, status));
        ctx.Response.StatusCode = status;
        if (notModified) return;
        ctx.Response.ContentType = contentType;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private static IEnumerable<IpPool> Pools(SimulatorState state, IpPoolKind kind, string? provider = null)
        => state.Options.IpPools.Where(p => p.Kind == kind && (provider is null || string.Equals(p.Provider, provider, StringComparison.OrdinalIgnoreCase)));

    private static IEnumerable<string> Networks(SimulatorState state, IpPoolKind kind, string? provider = null)
        => Pools(state, kind, provider).SelectMany(p => p.Networks);

    private static IEnumerable<string> Addresses(SimulatorState state, IpPoolKind kind)
        => state.Data.AllAddresses.Where(a => a.Pool.Kind == kind).Select(a => a.Address).Order(StringComparer.Ordinal);

    private static string Lines(IEnumerable<string> lines) => string.Join("\n", lines) + "\n";

    private static uint Hash(int seed, string text)
    {
        var h = 2166136261u ^ (uint)seed;
        foreach (var c in text) h = (h ^ c) * 16777619u;
        return h;
    }

    private static string TorBulk(SimulatorState state) => Lines(Addresses(state, IpPoolKind.Tor));

    private static string TorExitAddresses(SimulatorState state, DateTimeOffset now)
    {
        const string format = "yyyy-MM-dd HH:mm:ss";
        var sb = new StringBuilder();
        sb.Append("@type tordnsel 1.0\n");
        sb.Append("Downloaded ").Append(now.ToString(format, CultureInfo.InvariantCulture)).Append('\n');
        var lastHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        foreach (var ip in Addresses(state, IpPoolKind.Tor))
        {
            var h = Hash(state.Options.Seed, ip);
            // Relay fingerprints are 40 hex digits (SHA-1 sized); these are only stable made-up identifiers.
            var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{state.Options.Seed}|{ip}")))[..40];
            var lastStatus = lastHour.AddHours(-(int)(h % 3));
            var published = lastStatus.AddHours(-1 - (int)(h % 17)).AddSeconds(h % 3600);
            var tested = lastStatus.AddMinutes(h % 50);
            if (tested > now) tested = now;
            sb.Append("ExitNode ").Append(fingerprint).Append('\n');
            sb.Append("Published ").Append(published.ToString(format, CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("LastStatus ").Append(lastStatus.ToString(format, CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("ExitAddress ").Append(ip).Append(' ').Append(tested.ToString(format, CultureInfo.InvariantCulture)).Append('\n');
        }

        return sb.ToString();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A prefix two bits shorter: the provider's wider block around a pool network.</summary>
    private static string Parent(string cidr)
    {
        var network = IPNetwork.Parse(cidr);
        var parent = new IPNetwork(network.BaseAddress, Math.Max(8, network.PrefixLength - 2));
        var bytes = parent.BaseAddress.GetAddressBytes();
        var bits = parent.PrefixLength;
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return $"{new IPAddress(bytes)}/{bits}";
    }

    private static string Aws(SimulatorState state, DateTimeOffset published) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("syncToken", published.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        w.WriteString("createDate", published.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture));
        w.WriteStartArray("prefixes");
        foreach (var pool in Pools(state, IpPoolKind.Cloud, "AWS"))
        {
            foreach (var network in pool.Networks.Where(n => !n.Contains(':', StringComparison.Ordinal)))
            {
                // As AWS does: the prefix once per service, AMAZON being the catch-all; plus a wider GLOBAL block.
                foreach (var (prefix, region, service) in new[] { (network, pool.Region, "AMAZON"), (network, pool.Region, "EC2"), (Parent(network), "GLOBAL", "AMAZON") })
                {
                    w.WriteStartObject();
                    w.WriteString("ip_prefix", prefix);
                    w.WriteString("region", region);
                    w.WriteString("service", service);
                    w.WriteString("network_border_group", region);
                    w.WriteEndObject();
                }
            }
        }

        w.WriteEndArray();
        w.WriteStartArray("ipv6_prefixes");
        w.WriteStartObject();
        w.WriteString("ipv6_prefix", "2600:1f18::/36");
        w.WriteString("region", "us-east-1");
        w.WriteString("service", "EC2");
        w.WriteString("network_border_group", "us-east-1");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Azure(SimulatorState state) => Json(w =>
    {
        var pools = Pools(state, IpPoolKind.Cloud, "Azure").ToList();
        w.WriteStartObject();
        w.WriteNumber("changeNumber", 300 + state.Options.Seed % 100);
        w.WriteString("cloud", "Public");
        w.WriteStartArray("values");
        void Tag(string name, string region, string service, IEnumerable<string> prefixes)
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("id", name);
            w.WriteStartObject("properties");
            w.WriteNumber("changeNumber", 12);
            w.WriteString("region", region);
            w.WriteNumber("regionId", region.Length == 0 ? 0 : 18);
            w.WriteString("platform", "Azure");
            w.WriteString("systemService", service);
            w.WriteStartArray("addressPrefixes");
            foreach (var p in prefixes) w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteStartArray("networkFeatures");
            foreach (var f in NetworkFeatures) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        Tag("AzureCloud", "", "", pools.SelectMany(p => p.Networks).Select(Parent).Distinct());
        foreach (var pool in pools)
        {
            Tag($"AzureCloud.{pool.Region}", pool.Region ?? "", "", pool.Networks);
            // A service tag inside the region: the more specific answer for its /24.
            var first = IPNetwork.Parse(pool.Networks[0]).BaseAddress.GetAddressBytes();
            Tag($"AppService.{pool.Region}", pool.Region ?? "", "AzureAppService", [$"{first[0]}.{first[1]}.{first[2] + 1}.0/24"]);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Google(SimulatorState state, DateTimeOffset published) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("syncToken", published.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        w.WriteString("creationTime", published.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        w.WriteStartArray("prefixes");
        foreach (var pool in Pools(state, IpPoolKind.Cloud, "Google Cloud"))
        {
            foreach (var network in pool.Networks)
            {
                w.WriteStartObject();
                w.WriteString(network.Contains(':', StringComparison.Ordinal) ? "ipv6Prefix" : "ipv4Prefix", network);
                w.WriteString("service", "Google Cloud");
                w.WriteString("scope", pool.Region);
                w.WriteEndObject();
            }
        }

        w.WriteStartObject();
        w.WriteString("ipv6Prefix", "2600:1900:4000::/44");
        w.WriteString("service", "Google Cloud");
        w.WriteString("scope", "us-central1");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Oracle(SimulatorState state, DateTimeOffset published) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("last_updated_timestamp", published.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        w.WriteStartArray("regions");
        foreach (var pool in Pools(state, IpPoolKind.Cloud, "Oracle"))
        {
            w.WriteStartObject();
            w.WriteString("region", pool.Region);
            w.WriteStartArray("cidrs");
            foreach (var network in pool.Networks)
            {
                w.WriteStartObject();
                w.WriteString("cidr", network);
                w.WriteStartArray("tags");
                w.WriteStringValue("OCI");
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string DigitalOcean(SimulatorState state)
    {
        var sites = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["fra1"] = "DE,DE-HE,Frankfurt,60341",
            ["ams3"] = "NL,NL-NH,Amsterdam,1098",
            ["nyc1"] = "US,US-NY,New York,10118",
            ["lon1"] = "GB,GB-ENG,London,EC1V",
            ["sgp1"] = "SG,SG-01,Singapore,627753",
        };
        var lines = new List<string>();
        foreach (var pool in Pools(state, IpPoolKind.Cloud, "DigitalOcean"))
        {
            var site = sites.GetValueOrDefault(pool.Region ?? "", $"{pool.Country},,,");
            lines.AddRange(pool.Networks.Select(n => $"{n},{site}"));
        }

        lines.Add("5.101.96.0/21,NL,NL-NH,Amsterdam,1098");
        lines.Add("2a03:b0c0:3::/48,DE,DE-HE,Frankfurt,60341");
        return Lines(lines);
    }

    private static string Netset(string name, string description, DateTimeOffset date, IEnumerable<string> entries)
    {
        var list = entries.Distinct(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append("#\n# ").Append(name).Append("\n#\n# ipv4 hash:net ipset\n#\n# ").Append(description).Append("\n#\n");
        sb.Append("# Maintainer      : IncidentFunctions Wallarm simulator\n");
        sb.Append("# Source File Date: ").Append(date.ToString("ddd MMM d HH:mm:ss UTC yyyy", CultureInfo.InvariantCulture)).Append("\n#\n");
        sb.Append("# This File has ").Append(list.Count).Append(" entries\n#\n");
        foreach (var entry in list) sb.Append(entry).Append('\n');
        return sb.ToString();
    }

    private static string SpamhausDrop(SimulatorState state, DateTimeOffset published, bool v6)
    {
        var lines = new List<string>();
        var networks = v6 ? ["2a06:e480::/29"] : Pools(state, IpPoolKind.Malicious).Where(p => p.Name != "scanners").SelectMany(p => p.Networks).Where(n => !n.Contains(':', StringComparison.Ordinal)).ToList();
        foreach (var network in networks)
        {
            var sbl = 600_000 + Hash(state.Options.Seed, network) % 100_000;
            lines.Add(JsonSerializer.Serialize(new Dictionary<string, string> { ["cidr"] = network, ["sblid"] = $"SBL{sbl}", ["rir"] = "ripencc" }));
        }

        lines.Add(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "metadata",
            ["timestamp"] = published.ToUnixTimeSeconds(),
            ["size"] = lines.Sum(l => l.Length + 1),
            ["records"] = networks.Count,
            ["copyright"] = "(c) 2026 The Spamhaus Project SLU",
            ["terms"] = "https://www.spamhaus.org/drop/terms/",
        }));
        return Lines(lines);
    }
}
