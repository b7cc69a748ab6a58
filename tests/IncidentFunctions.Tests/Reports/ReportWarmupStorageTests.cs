using IncidentFunctions.Reports;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Reports;

/// <summary>The warm-up's storage part against the app's real services.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportWarmupStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task StartAsync_WallarmUnreachable_LogsOneLineWithoutAStackTrace()
    {
        // No tenant configured, so the warm-up asks Wallarm for it; nothing listens on port 1.
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = "http://127.0.0.1:1/",
            ["Wallarm:MaxRetries"] = "0",
        });
        var logs = new FakeLogCollector();
        using var warmup = new ReportWarmup(Options.Create(new ReportOptions()), new ReportDemand(), new FakeLogger<ReportWarmup>(logs), app.Get<IServiceScopeFactory>());

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        var unreachable = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1423);
        Assert.Equal((LogLevel.Warning, null), (unreachable.Level, unreachable.Exception));
        Assert.StartsWith("Report storage warm-up could not reach a service (HttpRequestException: Connection refused (127.0.0.1:1))", unreachable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 1418);
    }
}
