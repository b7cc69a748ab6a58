using BenchmarkDotNet.Attributes;
using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>Building an index from 1,000,000 overlapping ranges (goal: under 2 s and 150 MB). Allocations come from MemoryDiagnoser; peak memory from the index-memory verb.</summary>
[MemoryDiagnoser]
public class IndexBuildBenchmarks
{
    private RangeCollector _ranges = null!;
    private RangeCollector _bits = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ranges = IntelBenchmarkData.MillionRanges();
        _bits = IntelBenchmarkData.MillionRanges(asBits: true);
    }

    [Benchmark]
    public int SmallestWins_1M() => SegmentBuilder.SmallestWins(_ranges).SegmentCount;

    [Benchmark]
    public int UnionMask_1M() => SegmentBuilder.UnionMask(_bits).SegmentCount;
}
