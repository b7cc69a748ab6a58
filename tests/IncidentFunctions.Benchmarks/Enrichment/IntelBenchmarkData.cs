using System.Text;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.WallarmSimulator;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>
/// A snapshot with every kind of source loaded at realistic sizes: the npm country MMDB and ASN CSVs (the offline
/// defaults), every simulator feed (Tor, six cloud formats, reputation, VPN/proxy lists), and synthetic lists the size
/// of the real ones (Azure Service Tags ~75k prefixes, IPsum ~150k addresses, Tor ~12k exits, an Anonymous-IP layer).
/// </summary>
internal static class IntelBenchmarkData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static IntelSnapshot EverySource()
    {
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run from the repository (package.json beside IncidentFunctions.sln).");
        var sources = new List<IntelSourceData>();
        foreach (var preset in IntelSourcePresets.Defaults())
        {
            var path = Path.Combine(root, preset.Path!);
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: run 'npm ci' at the repository root.");
            sources.Add(Source(preset.Name, preset.Type, IntelParsers.Parse(preset.Type, File.ReadAllBytes(path), new IntelParseContext(Now))));
        }

        var state = new SimulatorState(new SimulatorOptions(), TimeProvider.System);
        foreach (var feed in IntelSourcePresets.SimulatorFeeds(new Uri("http://simulator/")))
        {
            var (body, _, _) = IntelFeeds.Render(state, feed.Url!.AbsolutePath.TrimStart('/'))!.Value;
            var content = IntelParsers.Parse(feed.Type, Encoding.UTF8.GetBytes(body), new IntelParseContext(Now, feed.Provider, feed.Category));
            sources.Add(Source(feed.Name, feed.Type, content, feed.Type is IntelSourceType.IpList or IntelSourceType.SpamhausDropJson ? feed.Category : null));
        }

        var random = new Random(2026);
        var azure = new IntelSourceContent { Cloud = new RangeTable<CloudValue>(75_000) };
        for (var i = 0; i < 75_000; i++) azure.Cloud.Add(RandomPrefix(random, 18, 30), new CloudValue("Azure", "region" + (i % 60), "Service" + (i % 200)));
        sources.Add(Source("azure-large", IntelSourceType.AzureServiceTags, azure));

        var ipsum = new IntelSourceContent { Listed = new RangeCollector(150_000) };
        for (var i = 0; i < 150_000; i++) ipsum.Listed.Add(RandomPrefix(random, 32, 32), 0);
        sources.Add(Source("ipsum-large", IntelSourceType.IpList, ipsum, IntelListCategory.Malicious));

        var tor = new IntelSourceContent { Tor = [] };
        for (var i = 0; i < 12_000; i++) tor.Tor.Add(new TorListing(RandomPrefix(random, 32, 32).Start, Now.AddDays(-3), Now));
        sources.Add(Source("tor-large", IntelSourceType.TorBulkExitList, tor));

        var anonymous = new IntelSourceContent { Anonymity = new RangeTable<AnonymityTraits>(50_000) };
        for (var i = 0; i < 50_000; i++) anonymous.Anonymity.Add(RandomPrefix(random, 20, 32), (AnonymityTraits)(1 << (i % 6)) | AnonymityTraits.Anonymous);
        sources.Add(Source("anonymous-ip-large", IntelSourceType.Mmdb, anonymous));

        return new IntelSnapshot("benchmark", Now, sources);
    }

    /// <summary>Addresses as attacks bring them: half from the simulator's pools, the rest random public IPv4 and IPv6.</summary>
    public static UInt128[] Addresses(int count)
    {
        var random = new Random(7);
        var pool = new IncidentGenerator(new SimulatorOptions()).AllAddresses.Select(a => a.Address).ToArray();
        var result = new UInt128[count];
        for (var i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                if (!IpNumber.TryParse(pool[random.Next(pool.Length)], out result[i])) throw new InvalidOperationException("Simulator address does not parse.");
            }
            else if (i % 5 != 1)
            {
                result[i] = IpNumber.FromV4((uint)random.Next(0x01000000, int.MaxValue) * 2u);
            }
            else
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                bytes[0] = (byte)(0x20 | (bytes[0] & 0x0F));
                result[i] = IpNumber.From(new System.Net.IPAddress(bytes));
            }
        }

        return result;
    }

    /// <summary>
    /// One million ranges the way real sources overlap: nested IPv4 prefixes of every size, arbitrary start-end ranges
    /// that partly overlap (range CSVs), and IPv6 prefixes.
    /// </summary>
    public static RangeCollector MillionRanges(int count = 1_000_000, bool asBits = false)
    {
        var random = new Random(1_000_000);
        var ranges = new RangeCollector(count);
        for (var i = 0; i < count; i++)
        {
            var value = asBits ? i % 64 : i;
            var kind = i % 10;
            if (kind < 7)
            {
                ranges.Add(RandomPrefix(random, 12, 32), value);
            }
            else if (kind < 9)
            {
                var start = (uint)random.Next(0x01000000, int.MaxValue) * 2u;
                var end = start + (uint)random.Next(0, 1 << random.Next(1, 20));
                ranges.Add(new IpRange(IpNumber.FromV4(start), IpNumber.FromV4(Math.Max(start, end))), value);
            }
            else
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                bytes[0] = (byte)(0x20 | (bytes[0] & 0x0F));
                var prefix = random.Next(24, 65);
                var host = IpNumber.HostMask(prefix);
                var address = IpNumber.From(new System.Net.IPAddress(bytes)) & ~host;
                ranges.Add(new IpRange(address, address | host), value);
            }
        }

        return ranges;
    }

    private static IpRange RandomPrefix(Random random, int shortest, int longest)
    {
        var prefix = random.Next(shortest, longest + 1) + 96;
        var host = IpNumber.HostMask(prefix);
        var address = IpNumber.FromV4((uint)random.Next(0x01000000, int.MaxValue) * 2u) & ~host;
        return new IpRange(address, address | host);
    }

    private static IntelSourceData Source(string name, IntelSourceType type, IntelSourceContent content, IntelListCategory? category = null)
        => new(new IntelSourceInfo { Name = name, Type = type, Location = "benchmark", Category = category, FetchedAt = Now, DatasetVersion = "benchmark", Entries = content.Entries }, content);
}
