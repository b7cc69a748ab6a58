using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.LocalRunner.DevServices;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>
/// Parsing one list of each format family at a realistic size: the npm defaults as they are (country MMDB, ASN CSV),
/// and synthetic files the size of the real ones built from them (iptoasn TSV, IPsum list, Tor exit-addresses,
/// Spamhaus DROP, AWS ip-ranges.json, a geofeed). This is what <c>RefreshIntel</c> pays per source.
/// </summary>
[MemoryDiagnoser]
public class IntelParseBenchmarks
{
    private static readonly IntelParseContext Context = new(IntelBenchmarkData.Now, "Benchmark");

    private byte[] _mmdb = null!;
    private byte[] _asnCsv = null!;
    private byte[] _ipToAsnTsv = null!;
    private byte[] _ipList = null!;
    private byte[] _torExitAddresses = null!;
    private byte[] _spamhausDrop = null!;
    private byte[] _awsJson = null!;
    private byte[] _geofeed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from the repository (package.json beside IncidentFunctions.sln).");
        byte[] Npm(IntelSourceOptions preset)
        {
            var path = Path.Combine(root, preset.Path!);
            return File.Exists(path) ? File.ReadAllBytes(path) : throw new InvalidOperationException($"{path} is missing: run 'npm ci' at the repository root.");
        }

        var defaults = IntelSourcePresets.Defaults();
        _mmdb = Npm(defaults.Single(p => p.Type == IntelSourceType.Mmdb));
        _asnCsv = Npm(defaults.Single(p => p.Name == "ip-location-db-asn-v4"));

        // iptoasn: the same ~412k IPv4 ranges with a country column, tab-separated (its real size is ~500k lines).
        var tsv = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(_asnCsv).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(',', 4);
            tsv.Append(fields[0]).Append('\t').Append(fields[1]).Append('\t').Append(fields[2]).Append("\tUS\t").Append(fields[3].Trim('"')).Append('\n');
        }

        _ipToAsnTsv = Encoding.UTF8.GetBytes(tsv.ToString());

        var random = new Random(2026);
        string V4() => string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}");

        var list = new StringBuilder("# IPsum-like list\n");
        for (var i = 0; i < 150_000; i++) list.Append(V4()).Append('\t').Append(random.Next(1, 10)).Append('\n');
        _ipList = Encoding.UTF8.GetBytes(list.ToString());

        var tor = new StringBuilder("@type tordnsel 1.0\nDownloaded 2026-11-20 12:00:00\n");
        for (var i = 0; i < 12_000; i++)
        {
            tor.Append(CultureInfo.InvariantCulture, $"ExitNode {i:X40}\nPublished 2026-11-19 03:23:05\nLastStatus 2026-11-20 11:00:00\nExitAddress {V4()} 2026-11-20 11:06:20\n");
        }

        _torExitAddresses = Encoding.UTF8.GetBytes(tor.ToString());

        var drop = new StringBuilder();
        for (var i = 0; i < 1_500; i++) drop.Append(CultureInfo.InvariantCulture, $"{{\"cidr\":\"{V4()}/24\",\"sblid\":\"SBL{i}\",\"rir\":\"ripencc\"}}\n");
        drop.Append("{\"type\":\"metadata\",\"timestamp\":1763610602,\"size\":1500,\"records\":1500,\"copyright\":\"(c) 2025 The Spamhaus Project SLU\"}\n");
        _spamhausDrop = Encoding.UTF8.GetBytes(drop.ToString());

        var aws = new StringBuilder("{\"syncToken\":\"1763676245\",\"createDate\":\"2025-11-20-22-04-05\",\"prefixes\":[");
        for (var i = 0; i < 10_000; i++)
        {
            if (i > 0) aws.Append(',');
            aws.Append(CultureInfo.InvariantCulture, $"{{\"ip_prefix\":\"{V4()}/{random.Next(16, 29)}\",\"region\":\"region-{i % 30}\",\"service\":\"{(i % 3 == 0 ? "AMAZON" : "EC2")}\",\"network_border_group\":\"region-{i % 30}\"}}");
        }

        aws.Append("],\"ipv6_prefixes\":[]}");
        _awsJson = Encoding.UTF8.GetBytes(aws.ToString());

        var geofeed = new StringBuilder();
        for (var i = 0; i < 10_000; i++) geofeed.Append(CultureInfo.InvariantCulture, $"{V4()}/24,DE,DE-HE,City {i % 50},60341\n");
        _geofeed = Encoding.UTF8.GetBytes(geofeed.ToString());
    }

    [Benchmark]
    public int Mmdb_Country() => Parse(IntelSourceType.Mmdb, _mmdb);

    [Benchmark]
    public int IpLocationDbCsv_AsnV4() => Parse(IntelSourceType.IpLocationDbCsv, _asnCsv);

    [Benchmark]
    public int IpToAsnTsv_412k() => Parse(IntelSourceType.IpToAsnTsv, _ipToAsnTsv);

    [Benchmark]
    public int IpList_150k() => Parse(IntelSourceType.IpList, _ipList);

    [Benchmark]
    public int TorExitAddresses_12k() => Parse(IntelSourceType.TorExitAddresses, _torExitAddresses);

    [Benchmark]
    public int SpamhausDrop_1500() => Parse(IntelSourceType.SpamhausDropJson, _spamhausDrop);

    [Benchmark]
    public int AwsJson_10k() => Parse(IntelSourceType.AwsIpRanges, _awsJson);

    [Benchmark]
    public int Geofeed_10k() => Parse(IntelSourceType.CloudGeofeed, _geofeed);

    private static int Parse(IntelSourceType type, byte[] content)
    {
        var parsed = IntelParsers.Parse(type, content, Context);
        return parsed.Entries + parsed.InvalidEntries;
    }
}
