using IncidentFunctions.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportWarmupTests
{
    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_MadeUpDay_DrawsChartsAndIncidentPages(ReportLayout layout)
    {
        // Every section a real day has (charts, top tables, an incident list over many pages), so the warm-up reaches
        // the same code.
        var pages = ReportWarmup.Render(new ReportOptions { Layout = layout });

        Assert.InRange(pages, 10, 40);
    }

    [Fact]
    public async Task StartAsync_WarmUpOnAndNoReportAsked_RendersRepeatedlyInTheBackground()
    {
        var logs = new FakeLogCollector();
        using var warmup = new ReportWarmup(Options.Create(new ReportOptions()), new ReportDemand(), new FakeLogger<ReportWarmup>(logs));

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        var record = Assert.Single(logs.GetSnapshot());
        Assert.Equal(1410, record.Id.Id);
        Assert.Equal(LogLevel.Debug, record.Level);
        Assert.Equal((1 + ReportWarmup.Repeats).ToString(System.Globalization.CultureInfo.InvariantCulture), record.GetStructuredStateValue("Renders"));
    }

    [Fact]
    public async Task StartAsync_ReportAlreadyAsked_RendersOnceAndLeavesTheRestToTheRequest()
    {
        var logs = new FakeLogCollector();
        var demand = new ReportDemand();
        demand.Requested();
        using var warmup = new ReportWarmup(Options.Create(new ReportOptions()), demand, new FakeLogger<ReportWarmup>(logs));

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        Assert.Equal("1", Assert.Single(logs.GetSnapshot()).GetStructuredStateValue("Renders"));
    }

    [Fact]
    public async Task StartAsync_StorageCheckFails_LogsItAndStillRenders()
    {
        var logs = new FakeLogCollector();
        // No storage registered: resolving the report service fails as an unreachable account would.
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var warmup = new ReportWarmup(Options.Create(new ReportOptions()), new ReportDemand(), new FakeLogger<ReportWarmup>(logs), services.GetRequiredService<IServiceScopeFactory>());

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        Assert.Equal([1410, 1418], logs.GetSnapshot().Select(r => r.Id.Id).Order());
        Assert.Equal(LogLevel.Warning, logs.GetSnapshot().Single(r => r.Id.Id == 1418).Level);
    }

    [Fact]
    public async Task StartAsync_WarmUpOff_RendersNothing()
    {
        var logs = new FakeLogCollector();
        using var warmup = new ReportWarmup(Options.Create(new ReportOptions { WarmUpOnStart = false }), new ReportDemand(), new FakeLogger<ReportWarmup>(logs));

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        Assert.Empty(logs.GetSnapshot());
    }
}
