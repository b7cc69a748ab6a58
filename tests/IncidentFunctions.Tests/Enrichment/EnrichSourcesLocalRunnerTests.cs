using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.LocalRunner;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NodaTime;

namespace IncidentFunctions.Tests.Enrichment;

/// <summary>EnrichSources under the local runner: the same queue, the same handler, the same poison behaviour as under Functions.</summary>
public sealed class EnrichSourcesLocalRunnerTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LocalRunner_EnrichmentQueue_EnrichesGoodMessagesAndPoisonsAMalformedOneOnce()
    {
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions(), cancellationToken: Ct);
        using var hostJson = new TestHostJson(TestHostJson.FastQueues);
        var queueName = UniqueNames.Queue("enrich");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "unused",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = UniqueNames.TablePrefix(),
            [AppSettingNames.EnrichmentQueueName] = queueName,
            ["Enrichment:UseDefaultSources"] = "false",
            ["Enrichment:SimulatorFeeds"] = simulator.BaseAddress.AbsoluteUri,
            ["LocalRunner:EnableTimers"] = "false",
            ["LocalRunner:HostJsonPath"] = hostJson.Path,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        using var host = builder.Build();
        var logs = host.Services.GetFakeLogCollector();
        var tor = simulator.Data.AllAddresses.First(a => a.Pool.Kind == IpPoolKind.Tor).Address;
        var now = DateTimeOffset.UtcNow;

        await host.StartAsync(Ct);
        await host.Services.GetRequiredService<EnrichmentPublisher>().SendAsync(5, "run-local", now,
            [new EnrichmentSource { Ip = tor, FirstSeen = now, LastSeen = now, Incidents = [new EnrichmentIncidentRef { Id = "a:1", Days = ["2026-11-20"] }] }], Ct);
        var producer = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await producer.SendMessageAsync("{ truncated", Ct);
        await logs.WaitForEventAsync(1300);
        await logs.WaitForEventAsync(1301);
        await host.StopAsync(Ct);

        var day = await host.Services.GetRequiredService<SourceProfileStore>().GetDayAsync(5, new LocalDate(2026, 11, 20), Ct);
        Assert.Equal(SourceType.Tor, day.Profiles[tor].SourceType);
        var poisoned = (await new QueueClient(azurite.ConnectionString, queueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).PeekMessagesAsync(32, Ct)).Value;
        Assert.Equal("{ truncated", Assert.Single(poisoned).Body.ToString());
        Assert.Empty((await producer.PeekMessagesAsync(32, Ct)).Value);
    }
}
