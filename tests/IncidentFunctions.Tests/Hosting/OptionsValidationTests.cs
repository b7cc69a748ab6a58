using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Hosting;

public sealed class OptionsValidationTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Wallarm:ApiToken"] = "token",
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
    };

    private static async Task<string> StartFailureAsync(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>(Valid);
        foreach (var (k, v) in overrides) settings[k] = v;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        return error.Message;
    }

    [Fact]
    public async Task StartAsync_ValidSettings_Starts()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Valid);
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("Wallarm:ApiToken", "", "Wallarm__ApiToken")]
    [InlineData("Wallarm:Cloud", "Mars", "Wallarm:Cloud must be 'US', 'EU'")]
    [InlineData("Wallarm:PageSize", "5000", "Wallarm:PageSize")]
    [InlineData("Reports:TimeZone", "Europe/Atlantis", "Reports__TimeZone")]
    [InlineData("PULL_INCIDENTS_SCHEDULE", "*/5 * * * *", "PULL_INCIDENTS_SCHEDULE")]
    [InlineData("Ingestion:InitialLookback", "400.00:00:00", "Ingestion:InitialLookback")]
    [InlineData("ENRICHMENT_QUEUE_NAME", "Bad_Queue", "ENRICHMENT_QUEUE_NAME")]
    [InlineData("Storage:ConnectionString", "", "Storage__ConnectionString")]
    [InlineData("DAILY_DIGEST_SCHEDULE", "*/15 * * * *", "DAILY_DIGEST_SCHEDULE")]
    [InlineData("Digest:SendTime", "8am", "Digest__SendTime")]
    [InlineData("Digest:SendTime", "24:00", "Digest:SendTime")]
    [InlineData("Digest:CatchUpDays", "0", "Digest:CatchUpDays")]
    [InlineData("Digest:LinkValidity", "00:00:00", "Digest:LinkValidity")]
    [InlineData("Digest:AutoDisable:FailureRate", "1.5", "Digest:AutoDisable:FailureRate")]
    [InlineData("Digest:Alerts:MaxPerInterval", "0", "Digest:Alerts:MaxPerInterval")]
    [InlineData("Digest:Alerts:Interval", "00:00:10", "Digest:Alerts:Interval")]
    [InlineData("ALERTS_SCHEDULE", "* * * * *", "ALERTS_SCHEDULE")]
    public async Task StartAsync_BadSetting_FailsNamingIt(string key, string value, string expected)
    {
        var message = await StartFailureAsync(new Dictionary<string, string?> { [key] = value });

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddIncidentFunctions_ScheduleFromAppSetting_FeedsTheTimerJob()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(Valid) { [AppSettingNames.PullIncidentsSchedule] = "0 */10 * * * *" });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        var job = Assert.Single(host.Services.GetServices<ScheduledJob>(), j => j.FunctionName == "PullIncidents");
        Assert.Equal("0 */10 * * * *", job.Schedule(host.Services));
    }
}
