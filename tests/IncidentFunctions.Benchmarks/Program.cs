using BenchmarkDotNet.Running;
using IncidentFunctions.Benchmarks.Enrichment;

// Measurements that are not BenchmarkDotNet runs take a verb; anything else goes to BenchmarkDotNet
// (e.g. --filter '*IntelLookup*' --job short). Add classes anywhere in this assembly; the switcher finds them.
return args.FirstOrDefault() switch
{
    "index-memory" => IndexMemory.Run(args[1..]),
    "enrich" => await EnrichBenchmark.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(IntelLookupBenchmarks).Assembly).Run(args);
    return 0;
}
