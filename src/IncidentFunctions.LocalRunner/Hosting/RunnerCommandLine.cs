namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>Picks the runner's mode from the first argument; everything else goes to that mode as configuration.</summary>
internal static class RunnerCommandLine
{
    public const string DefaultMode = "serve";
    public const string HelpMode = "help";
    public const string DemoMode = "demo";

    public const string Usage = """
        IncidentFunctions local runner: runs the app's timers, queue triggers and HTTP routes without Azure Functions.

        Usage: IncidentFunctions.LocalRunner [mode] [--Key=Value ...]

        Modes:
          serve   (default) Host the functions. Honours host.json; HTTP on LocalRunner:Urls (default http://127.0.0.1:7071).
                  Without Storage:ConnectionString, AzureWebJobsStorage or Storage:*ServiceUri, starts Azurite with data
                  in <repo>/.azurite.
          demo    Run the pipeline once end to end and exit: without configured storage it starts Azurite in memory,
                  without Wallarm:ApiToken the bundled Wallarm simulator; prints what it stored.
          help    Show this text (also --help, -h).

        Configuration (appsettings.json, environment variables with __, or --Section:Key=Value):
          LocalRunner:Urls            Addresses to listen on, separated by ';'.
          LocalRunner:FunctionKeys    Keys for function-level routes (x-functions-key header or ?code=);
                                      when none is set, one is generated and logged at start.
          LocalRunner:HostJsonPath    host.json to honour (default: the one beside the runner).
          LocalRunner:EnableTimers    Run scheduled jobs (default true).
          LocalRunner:EnableQueues    Listen on queues (default true).

        """;

    private static readonly string[] HelpSwitches = ["--help", "-h", "-?", "/?"];

    /// <summary>The mode and the arguments left for it. Arguments that start with '-' are configuration for the default mode.</summary>
    public static (string Mode, string[] Arguments) Parse(string[] args)
    {
        if (args.Any(a => HelpSwitches.Contains(a, StringComparer.OrdinalIgnoreCase)))
            return (HelpMode, []);
        if (args.Length == 0 || args[0].StartsWith('-'))
            return (DefaultMode, args);
        return (args[0].ToLowerInvariant(), args[1..]);
    }
}
