using IncidentFunctions.Hosting;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary><c>serve</c>: the app's composition root plus the local runner, on Kestrel.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(args);
        using var bootstrapLogging = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var bootstrapLogger = bootstrapLogging.CreateLogger("IncidentFunctions.LocalRunner");
        await using var azurite = await DevStorage.StartIfUnconfiguredAsync(builder.Configuration, bootstrapLogger, cancellationToken).ConfigureAwait(false);

        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        var app = builder.Build();
        await using var disposeApp = app.ConfigureAwait(false);
        try
        {
            app.MapLocalRunnerRoutes();
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or HostJsonException)
        {
            // Configuration mistakes: the message says what to set; a stack trace would only bury it.
            await Console.Error.WriteLineAsync($"The runner cannot start: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
