using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Hosting;

[Trait("Category", TestCategories.Unit)]
public sealed class OptionsValidationTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Wallarm:ApiToken"] = "FAKE-token",
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
    [InlineData("Wallarm:PageSize", "5000", "The field Wallarm:PageSize (app setting Wallarm__PageSize) must be between 1 and 1000.")]
    [InlineData("Wallarm:ApiToken", "  ", "Set the app setting 'Wallarm__ApiToken'")]
    [InlineData("Wallarm:MaxRetries", "21", "Wallarm:MaxRetries (app setting Wallarm__MaxRetries) must be between 0 and 20")]
    [InlineData("Reports:TimeZone", "Europe/Atlantis", "Reports__TimeZone")]
    [InlineData("PULL_INCIDENTS_SCHEDULE", "*/5 * * * *", "PULL_INCIDENTS_SCHEDULE")]
    [InlineData("Ingestion:InitialLookback", "400.00:00:00", "Ingestion:InitialLookback")]
    [InlineData("Ingestion:Overlap", "2.00:00:00", "Ingestion:Overlap (app setting Ingestion__Overlap) must be between 00:00:00 and 1.00:00:00")]
    [InlineData("Ingestion:WriteParallelism", "0", "Ingestion:WriteParallelism (app setting Ingestion__WriteParallelism) must be between 1 and 64")]
    [InlineData("Reports:TopRows", "101", "Reports:TopRows (app setting Reports__TopRows) must be between 1 and 100")]
    [InlineData("Reports:Title", " ", "Reports:Title (app setting Reports__Title) field is required")]
    [InlineData("Reports:Marking", "TLP:AMBER — for the recipients' organisation only, never further", "The field Reports:Marking (app setting Reports__Marking) must be a string with a maximum length of 60.")]
    [InlineData("Ingestion:OngoingHorizon", "8.00:00:00", "Ingestion:OngoingHorizon (app setting Ingestion__OngoingHorizon) must be between 00:00:00 and 7.00:00:00")]
    [InlineData("Ingestion:OngoingHorizon", "-00:00:01", "Ingestion:OngoingHorizon (app setting Ingestion__OngoingHorizon) must be between 00:00:00 and 7.00:00:00")]
    [InlineData("ENRICHMENT_QUEUE_NAME", "Bad_Queue", "ENRICHMENT_QUEUE_NAME")]
    [InlineData("Storage:ConnectionString", "", "Storage__ConnectionString")]
    [InlineData("DAILY_DIGEST_SCHEDULE", "*/15 * * * *", "DAILY_DIGEST_SCHEDULE")]
    [InlineData("Digest:SendTime", "8am", "Digest__SendTime")]
    [InlineData("Digest:SendTime", "24:00", "Digest:SendTime")]
    [InlineData("Digest:CatchUpDays", "0", "Digest:CatchUpDays (app setting Digest__CatchUpDays) must be between 1 and 14")]
    [InlineData("Digest:LinkValidity", "00:00:00", "Digest:LinkValidity (app setting Digest__LinkValidity) must be between 00:00:00 exclusive and 30.00:00:00")]
    [InlineData("Digest:Title", "", "Digest:Title (app setting Digest__Title) field is required")]
    [InlineData("Digest:MaxRetries", "11", "Digest:MaxRetries (app setting Digest__MaxRetries) must be between 0 and 10")]
    [InlineData("Digest:AutoDisable:FailureRate", "1.5", "Digest:AutoDisable:FailureRate (app setting Digest__AutoDisable__FailureRate) must be between 0 exclusive and 1")]
    [InlineData("Digest:AutoDisable:FailureRate", "0", "Digest:AutoDisable:FailureRate (app setting Digest__AutoDisable__FailureRate) must be between 0 exclusive and 1")]
    [InlineData("Digest:AutoDisable:FailureRate", "NaN", "Digest:AutoDisable:FailureRate (app setting Digest__AutoDisable__FailureRate)")]
    [InlineData("Digest:AutoDisable:Window", "8.00:00:00", "Digest:AutoDisable:Window (app setting Digest__AutoDisable__Window) must be between 00:00:00 exclusive and 7.00:00:00")]
    [InlineData("Digest:Alerts:MaxPerInterval", "0", "Digest:Alerts:MaxPerInterval (app setting Digest__Alerts__MaxPerInterval) must be between 1 and 100")]
    [InlineData("Digest:Alerts:Interval", "00:00:10", "Digest:Alerts:Interval (app setting Digest__Alerts__Interval) must be between 00:01:00 and 1.00:00:00")]
    [InlineData("ALERTS_SCHEDULE", "* * * * *", "ALERTS_SCHEDULE")]
    [InlineData("CSV_SNAPSHOTS_SCHEDULE", "0 20 * * *", "CSV_SNAPSHOTS_SCHEDULE")]
    [InlineData("Reports:CsvSnapshotSchedule", "hourly", "CSV_SNAPSHOTS_SCHEDULE 'hourly'")]
    [InlineData("RETENTION_SCHEDULE", "0 40 2 * *", "RETENTION_SCHEDULE")]
    [InlineData("Retention:Schedule", "daily", "RETENTION_SCHEDULE 'daily'")]
    [InlineData("Retention:RunBudget", "00:30:00", "Retention:RunBudget (app setting Retention__RunBudget) must be between 00:00:00.0010000 and 00:25:00")]
    [InlineData("Reports:CsvSnapshotLookBackDays", "-1", "Reports:CsvSnapshotLookBackDays must be from 0 (off) to Reports:RetentionDays (90); got -1")]
    [InlineData("Reports:CsvSnapshotLookBackDays", "91", "Reports:CsvSnapshotLookBackDays must be from 0 (off) to Reports:RetentionDays (90); got 91")]
    public async Task StartAsync_BadSetting_FailsNamingIt(string key, string value, string expected)
    {
        var message = await StartFailureAsync(new Dictionary<string, string?> { [key] = value });

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CompanyNameTooLong_FailsNamingTheSettingAndTheLimit()
    {
        var message = await StartFailureAsync(new Dictionary<string, string?> { ["Reports:CompanyName"] = new string('x', 201) });

        Assert.Contains("The field Reports:CompanyName (app setting Reports__CompanyName) must be a string with a maximum length of 200.", message, StringComparison.Ordinal);
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
