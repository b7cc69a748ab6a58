using System.Globalization;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Reports;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Demo;

/// <summary>
/// The main job end to end on one machine: with nothing configured it starts Azurite and the Wallarm simulator,
/// pulls the last day of incidents into Table storage and prints what it stored. Configured storage or a real
/// Wallarm token are used instead when present.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run the demo from inside the repository (package.json and IncidentFunctions.sln not found).");
        var output = Console.Out;
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

        await output.WriteLineAsync("IncidentFunctions demo — pulling incidents end to end on this machine").ConfigureAwait(false);

        var settings = new Dictionary<string, string?>();
        await using var azurite = string.IsNullOrWhiteSpace(configuration["Storage:ConnectionString"])
            ? await StartAzuriteAsync(root, output, loggerFactory).ConfigureAwait(false)
            : null;
        if (azurite is not null) settings["Storage:ConnectionString"] = azurite.ConnectionString;

        await using var simulator = string.IsNullOrWhiteSpace(configuration["Wallarm:ApiToken"])
            ? await StartSimulatorAsync(configuration, output).ConfigureAwait(false)
            : null;
        if (simulator is not null)
        {
            settings["Wallarm:Cloud"] = simulator.BaseAddress.AbsoluteUri;
            settings["Wallarm:ApiToken"] = simulator.Options.ApiToken;
        }

        // Backfill from the start of yesterday in the report zone, so yesterday's report has the whole day.
        var calendar = new ReportCalendar(configuration["Reports:TimeZone"] ?? new ReportOptions().TimeZone);
        var now = TimeProvider.System.GetUtcNow();
        var yesterday = calendar.WindowOf(calendar.DayOf(now).PlusDays(-1));
        settings["Ingestion:InitialLookback"] = configuration["Ingestion:InitialLookback"]
            ?? (now - yesterday.From + TimeSpan.FromMinutes(1)).ToString("c", CultureInfo.InvariantCulture);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables().AddInMemoryCollection(settings).AddCommandLine(args);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);

        await output.WriteLineAsync("Pulling incidents (PullIncidents)…").ConfigureAwait(false);
        PullResult pull;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            pull = await scope.ServiceProvider.GetRequiredService<IncidentPuller>().RunAsync().ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {pull.Incidents} incidents in {pull.WindowsPulled} window(s), {pull.RowsWritten} rows, {pull.Sources} sources queued for enrichment in {pull.Messages} message(s), {pull.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);

        await PrintStoredDaysAsync(host.Services, pull, output).ConfigureAwait(false);
        await host.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task<AzuriteProcess> StartAzuriteAsync(string root, TextWriter output, ILoggerFactory loggerFactory)
    {
        await output.WriteLineAsync("Starting Azurite (in memory; installs the repository's npm packages first if needed)…").ConfigureAwait(false);
        var azurite = await AzuriteProcess.StartAsync(root, logger: loggerFactory.CreateLogger("Azurite")).ConfigureAwait(false);
        await output.WriteLineAsync($"  Azurite tables on 127.0.0.1:{azurite.TablePort}, queues on {azurite.QueuePort}, blobs on {azurite.BlobPort}").ConfigureAwait(false);
        return azurite;
    }

    private static async Task<WallarmSimulatorHost> StartSimulatorAsync(IConfiguration configuration, TextWriter output)
    {
        var options = configuration.GetSection(SimulatorOptions.SectionName).Get<SimulatorOptions>() ?? new SimulatorOptions();
        var simulator = await WallarmSimulatorHost.StartAsync(options).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Wallarm API simulator on {simulator.BaseAddress} (seed {options.Seed}, {options.IncidentsPerDay:0} incidents/day); set Wallarm__ApiToken to pull from a real Wallarm cloud instead")).ConfigureAwait(false);
        return simulator;
    }

    private static async Task PrintStoredDaysAsync(IServiceProvider services, PullResult pull, TextWriter output)
    {
        var store = services.GetRequiredService<IncidentStore>();
        var coverage = services.GetRequiredService<CoverageLog>();
        var calendar = services.GetRequiredService<ReportCalendar>();
        var vulnerabilities = await services.GetRequiredService<VulnerabilityCatalog>().GetAllAsync(pull.TenantId).ConfigureAwait(false);
        var time = services.GetRequiredService<TimeProvider>();
        var storage = services.GetRequiredService<IOptions<Storage.StorageOptions>>().Value;
        var now = time.GetUtcNow();
        var today = calendar.DayOf(now);

        await output.WriteLineAsync($"Stored in table '{storage.TablePrefix}{storage.IncidentsTable}' (one partition per report day, zone {calendar.ZoneId}):").ConfigureAwait(false);
        for (var day = today.PlusDays(-1); day <= today; day = day.PlusDays(1))
        {
            var rows = new List<IncidentEntity>();
            await foreach (var row in store.GetDayAsync(pull.TenantId, day).ConfigureAwait(false)) rows.Add(row);
            // Up to where this pull reached: the seconds since are not a gap, just not pulled yet.
            var dayCoverage = await coverage.GetDayAsync(pull.TenantId, day, pull.PulledUntil ?? now).ConfigureAwait(false);
            var statuses = string.Join(", ", rows.GroupBy(r => r.ReadStatus()).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
            var types = string.Join(", ", rows.GroupBy(r => r.AttackType).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} {g.Count()}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {ReportCalendar.IsoDay(day)}: {rows.Count} incidents, {rows.Sum(r => r.Hits)} hits, {rows.SelectMany(r => r.ReadTopIps()).Select(t => t.Ip).Distinct().Count()} source IPs; coverage {Describe(dayCoverage)}")).ConfigureAwait(false);
            if (rows.Count == 0) continue;
            await output.WriteLineAsync($"      status: {statuses}").ConfigureAwait(false);
            await output.WriteLineAsync($"      types:  {types}").ConfigureAwait(false);
            var top = rows.OrderByDescending(r => r.Hits).First();
            var title = vulnerabilities.TryGetValue(top.VulnerabilityId, out var v) && v.Title is not null ? v.Title : $"security issue {top.VulnerabilityId}";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"      most hits: {top.AttackType} on {Shorten(top.Domain)}{Shorten(top.Path)} ({top.Hits} hits, {top.Status}) exploiting \"{Shorten(title)}\"")).ConfigureAwait(false);
        }
    }

    private static string Describe(DayCoverage coverage)
        => coverage.IsComplete
            ? string.Create(CultureInfo.InvariantCulture, $"{coverage.CoveredDuration.TotalHours:0.#} h pulled, no gaps")
            : string.Create(CultureInfo.InvariantCulture, $"{coverage.CoveredDuration.TotalHours:0.#} h pulled, missing {string.Join(", ", coverage.Missing.Select(m => $"{m.From:HH:mm}–{m.To:HH:mm} UTC"))}");

    // Console output is for a person; attacker text is cut short and stripped of control characters.
    private static string Shorten(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var clean = new string(text.Where(c => !char.IsControl(c) && c is not ('\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069')).ToArray());
        return clean.Length <= 60 ? clean : clean[..59] + "…";
    }
}
