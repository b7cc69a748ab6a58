using System.Text.Json;
using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NCrontab;

namespace IncidentFunctions.Tests.FunctionApp;

/// <summary>The functions.metadata the Worker SDK generates is what the Functions host binds; it must match the app.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class FunctionMetadataTests
{
    private static JsonElement[] Functions()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata is missing beside the tests ({path}); the FunctionApp build did not produce it.");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static JsonElement Trigger(string function)
        => Functions().Single(f => f.GetProperty("name").GetString() == function).GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void PullIncidents_IsATimerOnTheScheduleSetting()
    {
        var trigger = Trigger("PullIncidents");

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal($"%{AppSettingNames.PullIncidentsSchedule}%", trigger.GetProperty("schedule").GetString()!);
        // RunOnStartup would pull on every cold start and scale-out; the metadata omits it when false.
        Assert.False(trigger.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.GetBoolean());
    }

    [Fact]
    public void TimerFunctions_MatchTheJobsTheLocalRunnerSchedules()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Wallarm:ApiToken"] = "t", ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        var timers = Functions().Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "timerTrigger"))
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => Trigger(f.GetProperty("name").GetString()!).GetProperty("schedule").GetString()!);
        var jobs = host.Services.GetServices<ScheduledJob>().ToDictionary(j => j.FunctionName, j => $"%{j.ScheduleSetting}%");

        Assert.Equal(jobs.OrderBy(j => j.Key), timers.OrderBy(t => t.Key));
        Assert.All(host.Services.GetServices<ScheduledJob>(), j =>
            Assert.NotNull(CrontabSchedule.TryParse(j.Schedule(host.Services), new CrontabSchedule.ParseOptions { IncludingSeconds = true })));
    }

    [Fact]
    public void SendAlerts_IsATimerOnTheAlertsScheduleSettingFiringWithinAMinuteOfEveryIntervalEnd()
    {
        var trigger = Trigger("SendAlerts");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Wallarm:ApiToken"] = "t", ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" });
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        var job = host.Services.GetServices<ScheduledJob>().Single(j => j.FunctionName == "SendAlerts");
        var schedule = CrontabSchedule.Parse(job.Schedule(host.Services), new CrontabSchedule.ParseOptions { IncludingSeconds = true });

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal($"%{AppSettingNames.AlertsSchedule}%", trigger.GetProperty("schedule").GetString());
        Assert.False(trigger.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.GetBoolean());
        // Roll-up intervals end on whole minutes (default 10 min): the default timer fires a few seconds after each end.
        for (var end = new DateTime(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc); end < new DateTime(2026, 11, 20, 2, 0, 0, DateTimeKind.Utc); end = end.AddMinutes(10))
        {
            var fires = schedule.GetNextOccurrence(end);
            Assert.InRange(fires - end, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void EnrichSources_IsAQueueTriggerOnTheQueueSetting()
    {
        var trigger = Trigger("EnrichSources");

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal($"%{AppSettingNames.EnrichmentQueueName}%", trigger.GetProperty("queueName").GetString());
        // Bytes, so the host hands over the message exactly as decoded (a string would replace invalid UTF-8).
        Assert.Equal("Binary", trigger.GetProperty("dataType").GetString());
    }

    [Fact]
    public void QueueFunctions_MatchTheQueueJobsTheLocalRunnerConsumes()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Wallarm:ApiToken"] = "t", ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        var queues = Functions().Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "queueTrigger"))
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => Trigger(f.GetProperty("name").GetString()!).GetProperty("queueName").GetString()!);
        var jobs = host.Services.GetServices<QueueJob>().ToDictionary(j => j.FunctionName, j => $"%{j.QueueSetting}%");

        Assert.Equal(jobs.OrderBy(j => j.Key), queues.OrderBy(q => q.Key));
        Assert.All(host.Services.GetServices<QueueJob>(), j => Assert.Equal("enrich-sources", j.QueueName(host.Services)));
    }

    [Fact]
    public void HostJson_SitsBesideTheMetadataWithBase64Queues()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")));

        Assert.Equal("2.0", doc.RootElement.GetProperty("version").GetString());
        Assert.Equal("base64", doc.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    [Theory]
    [InlineData("GetDailyReport", "Function", "reports/daily/{date}.pdf")]
    [InlineData("GetSharedDailyReport", "Anonymous", "reports/shared/daily/{date}.pdf")]
    public void ReportFunctions_MatchTheirRoutes(string function, string authLevel, string route)
    {
        var trigger = Trigger(function);
        var expected = new[] { IncidentFunctions.Reports.DailyReportEndpoint.Metadata, IncidentFunctions.Reports.SharedDailyReportEndpoint.Metadata }.Single(r => r.FunctionName == function);

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(expected.Template, route);
        Assert.Equal(expected.AuthLevel.ToString(), authLevel);
        Assert.Equal(expected.Methods.Select(m => m.ToLowerInvariant()), trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }
}
