using BenchmarkDotNet.Running;
using IncidentFunctions.Benchmarks.Enrichment;
using IncidentFunctions.Benchmarks.Ingestion;
using IncidentFunctions.Benchmarks.Reports;

// End-to-end runs and one-shot measurements take a verb; anything else goes to BenchmarkDotNet
// (e.g. --filter '*Lookup*' --job short). Add classes anywhere in this assembly; the switcher finds them.
return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "report" => ReportRenderBenchmark.Run(args[1..]),
    "report-loop" => ReportRenderBenchmark.Loop(args[1..]),
    "report-http" => await ReportHttpBenchmark.RunAsync(args[1..]),
    "period-report" => await PeriodBenchmarks.RunReportAsync(args[1..]),
    "period-report-build" => await PeriodBenchmarks.RunReportBuildAsync(args[1..]),
    "daily-report-memory" => await PeriodBenchmarks.RunDailyMemoryAsync(args[1..]),
    "daily-report-memory-build" => await PeriodBenchmarks.RunDailyMemoryBuildAsync(args[1..]),
    "csv-http" => await PeriodBenchmarks.RunCsvAsync(args[1..]),
    "retention" => await PeriodBenchmarks.RunRetentionAsync(args[1..]),
    "first-requests" => await FirstRequestsBenchmark.RunAsync(args[1..]),
    "report-stages" => await ReportStagesBenchmark.RunAsync(args[1..]),
    "enrich" => await EnrichBenchmark.RunAsync(args[1..]),
    "enrich-listener" => await EnrichListenerBenchmark.RunAsync(args[1..]),
    "index-memory" => IndexMemory.Run(args[1..]),
    "azurite-costs" => await AzuriteCosts.RunAsync(),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(IngestBenchmark).Assembly).Run(args);
    return 0;
}
