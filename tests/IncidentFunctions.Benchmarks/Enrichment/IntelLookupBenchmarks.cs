using BenchmarkDotNet.Attributes;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>Lookups with every source loaded (goal: at least 1,000,000 lookups/s per core).</summary>
[MemoryDiagnoser]
public class IntelLookupBenchmarks
{
    /// <summary>A million distinct addresses, so lookups pay the cache misses real traffic does rather than replaying a warm few.</summary>
    private const int Batch = 1 << 20;
    private const int ProfileBatch = 4096;
    private IntelIndex _index = null!;
    private UInt128[] _addresses = [];
    private string[] _texts = [];
    private string[] _profileTexts = [];

    [GlobalSetup]
    public void Setup()
    {
        _index = IntelIndex.Build(IntelBenchmarkData.EverySource());
        _addresses = IntelBenchmarkData.Addresses(Batch);
        _texts = _addresses.Select(IpNumber.Format).ToArray();
        _profileTexts = _texts.Take(ProfileBatch).ToArray();
    }

    /// <summary>One lookup = bogon check plus every layer (geo, ASN, anonymity, cloud, lists, Tor).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Lookup()
    {
        var sum = 0;
        foreach (var address in _addresses)
        {
            var match = _index.Lookup(address);
            sum += match.Geo + match.Asn + match.Cloud + match.Anonymity + match.Tor + (int)match.Lists;
        }

        return sum;
    }

    /// <summary>Parsing the address text from the queue message as well.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int ParseAndLookup()
    {
        var sum = 0;
        foreach (var text in _texts)
        {
            if (IpNumber.TryParse(text, out var address)) sum += _index.Lookup(address).Geo;
        }

        return sum;
    }

    /// <summary>A full profile with provenance (what a cache miss costs before storage).</summary>
    [Benchmark(OperationsPerInvoke = ProfileBatch)]
    public int Profile()
    {
        var sum = 0;
        foreach (var text in _profileTexts) sum += SourceProfiler.Profile(text, _index, IntelBenchmarkData.Now).Profile.Provenance.Count;
        return sum;
    }
}
