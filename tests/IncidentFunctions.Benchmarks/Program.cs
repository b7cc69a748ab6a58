using BenchmarkDotNet.Running;
using IncidentFunctions.Benchmarks.Ingestion;
using IncidentFunctions.Benchmarks.Reports;

// End-to-end runs take a verb; anything else goes to BenchmarkDotNet (e.g. --filter '*Lookup*').
return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "report" => ReportRenderBenchmark.Run(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(IngestBenchmark).Assembly).Run(args);
    return 0;
}
