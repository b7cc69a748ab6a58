using System.Diagnostics;
using System.Globalization;
using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Benchmarks.Enrichment;

/// <summary>
/// Time, allocated bytes, peak working-set growth and retained size of index builds, each in this fresh process:
/// <c>index-memory</c> (1,000,000 ranges) and <c>index-memory snapshot</c> (every source, as an enrichment instance
/// builds it when a snapshot version changes).
/// </summary>
internal static class IndexMemory
{
    public static int Run(string[] args)
    {
        var snapshot = args.FirstOrDefault() == "snapshot";
        object input = snapshot ? IntelBenchmarkData.EverySource() : IntelBenchmarkData.MillionRanges();
        Func<object> build = snapshot ? () => IntelIndex.Build((IntelSnapshot)input) : () => SegmentBuilder.SmallestWins((RangeCollector)input);

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baselineWorkingSet = process.WorkingSet64;
        var baselinePeak = process.PeakWorkingSet64;
        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var index = build();
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        var peakGrowth = process.PeakWorkingSet64 - Math.Max(baselineWorkingSet, 0);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;
        GC.KeepAlive(index);

        static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
        Console.WriteLine(snapshot ? "Index of every source (IntelIndex.Build)" : "SmallestWins over 1,000,000 ranges");
        Console.WriteLine($"  time:                 {watch.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");
        Console.WriteLine($"  allocated:            {Mb(allocated)}");
        Console.WriteLine($"  peak working set +:   {Mb(peakGrowth)} (process peak before build {Mb(baselinePeak)}, after {Mb(process.PeakWorkingSet64)})");
        Console.WriteLine($"  retained (the index): {Mb(retained)}");
        if (index is IntelIndex intel) Console.WriteLine($"  segments:             {intel.SegmentCount.ToString("N0", CultureInfo.InvariantCulture)} in {intel.Snapshot.Sources.Count} sources");
        return 0;
    }
}
