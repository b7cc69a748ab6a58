using IncidentFunctions.LocalRunner.Demo;
using IncidentFunctions.LocalRunner.Hosting;

var (mode, arguments) = RunnerCommandLine.Parse(args);
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
