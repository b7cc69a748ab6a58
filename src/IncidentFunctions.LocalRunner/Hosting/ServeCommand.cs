using IncidentFunctions.Hosting;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Http;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary><c>serve</c>: the app's composition root plus the local runner, on Kestrel.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var builder = RunnerWebBuilder.Create(args);
        LogLevelSettings.Check(builder.Configuration); // before Azurite starts, and before logging reads them
        using var bootstrapLogging = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var bootstrapLogger = bootstrapLogging.CreateLogger("IncidentFunctions.LocalRunner");
        await using var azurite = await DevStorage.StartIfUnconfiguredAsync(builder.Configuration, bootstrapLogger, cancellationToken).ConfigureAwait(false);

        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        var app = builder.Build();
        await using var disposeApp = app.ConfigureAwait(false);
        // host.json and the runner's own settings are read here, the app's settings validated before anything starts:
        // a mistake ends the runner with one line (Program.cs), not a stack trace.
        app.MapLocalRunnerRoutes();
        app.Services.ValidateSettings();
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
