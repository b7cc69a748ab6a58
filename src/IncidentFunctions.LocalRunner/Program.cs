using IncidentFunctions.LocalRunner.Demo;
using IncidentFunctions.LocalRunner.Hosting;

var (mode, arguments) = RunnerCommandLine.Parse(args);
try
{
    switch (mode)
    {
        case RunnerCommandLine.DefaultMode:
            return await ServeCommand.RunAsync(arguments).ConfigureAwait(false);
        case RunnerCommandLine.DemoMode:
            return await DemoCommand.RunAsync(arguments).ConfigureAwait(false);
        case RunnerCommandLine.HelpMode:
            Console.Out.Write(RunnerCommandLine.Usage);
            return 0;
        default:
            await Console.Error.WriteLineAsync($"Unknown mode '{mode}'.").ConfigureAwait(false);
            await Console.Error.WriteAsync(RunnerCommandLine.Usage).ConfigureAwait(false);
            return 2;
    }
}
catch (Exception ex) when (StartupFailure.Describe(ex) is { } problem)
{
    // A settings mistake: the message names the setting and what is wrong; a stack trace would only bury it.
    await Console.Error.WriteLineAsync($"The runner cannot start: {problem}").ConfigureAwait(false);
    return 1;
}
