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
[Trait("Category", TestCategories.Integration)]
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
            ["Wallarm:ApiToken"] = "FAKE-unused-token",
            ["Reports:WarmUpOnStart"] = "false", // its storage part asks the Wallarm API (the internet by default) for the tenant
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

    [Fact]
    public async Task LocalRunner_InvalidUtf8Body_LandsInThePoisonQueueByteIdenticalOnFirstDelivery()
    {
        // JSON-looking, but with bytes that are not UTF-8 (a lone continuation byte, an overlong form, 0xFF).
        byte[] body = [.. "{\"version\":1,\"kind\":\"enrich-sources\",\"runId\":\""u8, 0x80, 0xC0, 0xAF, 0xFF, .. "\"}"u8];

        var (original, poisoned, logs) = await PoisonThroughTheRunnerAsync(body);

        Assert.Equal(original, poisoned);
        Assert.Equal(body, Convert.FromBase64String(poisoned));
        Assert.Contains("not UTF-8", Assert.Single(logs, r => r.Id.Id == 1301).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalRunner_60KBBase64Body_IsPoisonedOnFirstSightUnchanged()
    {
        // 45,000 random bytes: 60,000 characters of base64, within the 64 KiB limit. Read as text, nearly every byte
        // would become a 3-byte U+FFFD and the body would no longer fit any queue.
        var body = new byte[45_000];
        new Random(20261120).NextBytes(body);

        var (original, poisoned, logs) = await PoisonThroughTheRunnerAsync(body);

        Assert.Equal(60_000, original.Length);
        Assert.Equal(original, poisoned);
        Assert.Single(logs, r => r.Id.Id == 1301);
    }

    /// <summary>
    /// Sends <paramref name="body"/> base64-encoded (as every producer does) to the runner's EnrichSources queue and
    /// waits until it is poisoned; returns the stored text sent, the stored text of the poison message, and the logs.
    /// Fails if the handler failed even once: a malformed message must be poisoned at its first delivery.
    /// </summary>
    private async Task<(string Original, string Poisoned, IReadOnlyList<FakeLogRecord> Logs)> PoisonThroughTheRunnerAsync(byte[] body)
    {
        using var hostJson = new TestHostJson(TestHostJson.FastQueues);
        var queueName = UniqueNames.Queue("poison");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "FAKE-unused-token",
            ["Reports:WarmUpOnStart"] = "false", // its storage part asks the Wallarm API (the internet by default) for the tenant
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = UniqueNames.TablePrefix(),
            [AppSettingNames.EnrichmentQueueName] = queueName,
            ["Enrichment:UseDefaultSources"] = "false",
            ["LocalRunner:EnableTimers"] = "false",
            ["LocalRunner:HostJsonPath"] = hostJson.Path,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        using var host = builder.Build();
        var logs = host.Services.GetFakeLogCollector();
        var raw = new QueueClient(azurite.ConnectionString, queueName);
        await raw.CreateIfNotExistsAsync(cancellationToken: Ct);
        var original = Convert.ToBase64String(body);

        await raw.SendMessageAsync(original, Ct);
        await host.StartAsync(Ct);
        await logs.WaitForEventAsync(1301);
        await host.StopAsync(Ct);

        var poisoned = Assert.Single((await new QueueClient(azurite.ConnectionString, queueName + "-poison").PeekMessagesAsync(32, Ct)).Value);
        Assert.Empty((await raw.PeekMessagesAsync(32, Ct)).Value);
        var snapshot = logs.GetSnapshot();
        Assert.DoesNotContain(snapshot, r => r.Id.Id == 9303); // no failed attempt, so no retry
        Assert.Equal(1, Assert.Single(snapshot, r => r.Id.Id == 9301).Value<long>("DequeueCount"));
        return (original, poisoned.Body.ToString(), snapshot);
    }
}
