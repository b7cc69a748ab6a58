using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Storage;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Benchmarks.Reports;

/// <summary>
/// What <c>first-requests</c> and <c>report-stages</c> measure reports of: four whole days of 1,000 incidents a day
/// from the simulator, pulled into Azurite and enriched, as an instance would have them before anyone asks for a report.
/// </summary>
internal static class SimulatedDays
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    public static SimulatorOptions SimulatorOptions() => new() { IncidentsPerDay = 1_000 };

    /// <summary>A host of the composition root on the simulator and Azurite, its tables named with <paramref name="tablePrefix"/>.</summary>
    public static IHost BuildHost(AzuriteProcess azurite, WallarmSimulatorHost simulator, SimulatorOptions simulatorOptions, string tablePrefix)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = simulator.BaseAddress.AbsoluteUri,
            ["Wallarm:ApiToken"] = simulatorOptions.ApiToken,
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = tablePrefix,
            ["Ingestion:InitialLookback"] = "4.00:00:00",
            ["Enrichment:UseDefaultSources"] = "false",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(Now));
        builder.AddIncidentFunctions();
        return builder.Build();
    }

    /// <summary>Pulls the days, then runs the real <see cref="EnrichSourcesJob"/> on every queued message; returns how many it handled.</summary>
    public static async Task<int> PullAndEnrichAsync(IServiceProvider services)
    {
        await services.GetRequiredService<IncidentPuller>().RunAsync();
        var storage = services.GetRequiredService<StorageClients>();
        var queue = await storage.GetQueueAsync(storage.Options.EnrichmentQueueName);
        var job = services.GetRequiredService<EnrichSourcesJob>();
        var handled = 0;
        while ((await queue.ReceiveMessagesAsync(maxMessages: 32)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                await job.RunAsync(message.Body);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                handled++;
            }
        }

        return handled;
    }
}
