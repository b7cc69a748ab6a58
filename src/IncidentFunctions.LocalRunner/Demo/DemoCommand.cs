using System.Globalization;
using System.Security.Cryptography;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Http;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;
using IncidentFunctions.WallarmSimulator;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.LocalRunner.Demo;

/// <summary>
/// The main job end to end on one machine. With nothing configured it starts Azurite and the Wallarm simulator
/// (which also serves the Tor, cloud-range and reputation lists), then: pulls incidents from the start of yesterday,
/// enriches their sources through the queue, renders yesterday's PDF report and its chat digest for each platform, and
/// prints where everything is.
/// Configured storage or a real Wallarm token are used instead when present. <c>--serve</c> keeps the local runner
/// up afterwards, serving the report over HTTP.
/// </summary>
internal static class DemoCommand
{
    private const string ServeSwitch = "--serve";
    private const string DemoSigningKeyId = "demo";

    /// <summary>Where the report and the chat previews go (<c>reports/</c> and <c>digest/</c> below it); default <c>&lt;repo&gt;/out</c>.</summary>
    private const string OutputDirectorySetting = "Demo:OutputDirectory";

    public static async Task<int> RunAsync(string[] args)
    {
        var serve = args.Contains(ServeSwitch, StringComparer.OrdinalIgnoreCase);
        args = args.Where(a => !a.Equals(ServeSwitch, StringComparison.OrdinalIgnoreCase)).ToArray();
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        LogLevelSettings.Check(configuration);
        var root = RepositoryLayout.FindRoot() ?? throw new InvalidOperationException("Run the demo from inside the repository (package.json and IncidentFunctions.sln not found).");
        var output = Console.Out;
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

        await output.WriteLineAsync("IncidentFunctions demo — the whole pipeline on this machine").ConfigureAwait(false);

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
            // The simulator's Tor, cloud-range and reputation lists match the attackers it puts in incidents.
            settings["Enrichment:SimulatorFeeds"] = simulator.BaseAddress.AbsoluteUri;
        }

        if (string.IsNullOrEmpty(configuration["Reports:ActiveSigningKeyId"]))
        {
            // A throw-away key, so the demo can hand out a signed report link.
            settings[$"Reports:SigningKeys:{DemoSigningKeyId}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            settings["Reports:ActiveSigningKeyId"] = DemoSigningKeyId;
        }

        var runnerUrl = (configuration["LocalRunner:Urls"] ?? LocalRunnerOptions.DefaultUrls).Split(';')[0].TrimEnd('/');
        settings["Reports:PublicBaseUrl"] = configuration["Reports:PublicBaseUrl"] ?? $"{runnerUrl}/api/";

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables().AddInMemoryCollection(settings).AddCommandLine(args);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.AddIncidentFunctions();
        builder.AddLogoUpload(); // --LocalRunner:LogoFile=<image> puts a logo on the demo's report
        if (string.IsNullOrEmpty(configuration["Ingestion:InitialLookback"]))
        {
            // Backfill from the start of the day before yesterday in the report zone: yesterday's report then has its
            // whole day and a whole day to compare with. The zone comes from the validated calendar, so a bad
            // Reports:TimeZone is reported by the options validation like any other setting.
            builder.Services.AddOptions<IngestionOptions>().PostConfigure<ReportCalendar, TimeProvider>((ingestion, calendar, time) =>
            {
                var now = time.GetUtcNow();
                ingestion.InitialLookback = now - calendar.WindowOf(calendar.DayOf(now).PlusDays(-2)).From + TimeSpan.FromMinutes(1);
            });
        }

        using var host = builder.Build();
        host.Services.ValidateSettings();
        await host.StartAsync().ConfigureAwait(false);
        var yesterday = host.Services.GetRequiredService<ReportCalendar>().DayOf(host.Services.GetRequiredService<TimeProvider>().GetUtcNow()).PlusDays(-1);
        var outputDirectory = configuration[OutputDirectorySetting] is { Length: > 0 } configured ? Path.GetFullPath(configured) : Path.Combine(root, "out");

        var pull = await PullAsync(host.Services, output).ConfigureAwait(false);
        await PrintStoredDaysAsync(host.Services, pull, output).ConfigureAwait(false);
        await EnrichAsync(host.Services, output).ConfigureAwait(false);
        await PrintSourcesAsync(host.Services, pull.TenantId, yesterday, output).ConfigureAwait(false);
        var report = await RenderReportAsync(host.Services, outputDirectory, yesterday, output).ConfigureAwait(false);
        var (digests, email) = await PreviewDigestAsync(host.Services, outputDirectory, yesterday, configuration, output).ConfigureAwait(false);
        await host.StopAsync().ConfigureAwait(false);

        if (!serve)
        {
            await output.WriteLineAsync($"Done. The report is {report}; the chat payloads and the email are in {digests}. Add {ServeSwitch} to keep the local runner serving the report over HTTP and to see the email in a local mailbox (maildev).").ConfigureAwait(false);
            return 0;
        }

        return await ServeAsync(args, settings, yesterday, email, root, output).ConfigureAwait(false);
    }

    private static async Task<PullResult> PullAsync(IServiceProvider services, TextWriter output)
    {
        await output.WriteLineAsync("1. Pulling incidents (PullIncidents)…").ConfigureAwait(false);
        await using var scope = services.CreateAsyncScope();
        var pull = await scope.ServiceProvider.GetRequiredService<IncidentPuller>().RunAsync().ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"   {pull.Incidents} incidents in {pull.WindowsPulled} window(s), {pull.RowsWritten} rows, {pull.Sources} sources queued for enrichment in {pull.Messages} message(s), {pull.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
        return pull;
    }

    /// <summary>Runs <c>EnrichSources</c> over everything the pull queued, as the queue trigger would.</summary>
    private static async Task EnrichAsync(IServiceProvider services, TextWriter output)
    {
        await output.WriteLineAsync("3. Enriching sources (EnrichSources, from the queue)…").ConfigureAwait(false);
        var job = services.GetServices<QueueJob>().Single(j => j.FunctionName == "EnrichSources");
        var queue = await services.GetRequiredService<StorageClients>().GetQueueAsync(job.QueueName(services)).ConfigureAwait(false);
        var handled = 0;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5)).ConfigureAwait(false)).Value;
            if (messages.Length == 0) break;
            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (message, ct) =>
            {
                await using var scope = services.CreateAsyncScope();
                await job.HandleAsync(scope.ServiceProvider, message.Body, ct).ConfigureAwait(false);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct).ConfigureAwait(false);
                Interlocked.Increment(ref handled);
            }).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"   {handled} message(s) handled in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s")).ConfigureAwait(false);
    }

    private static async Task PrintSourcesAsync(IServiceProvider services, long tenantId, LocalDate day, TextWriter output)
    {
        var sources = await services.GetRequiredService<SourceProfileStore>().GetDayAsync(tenantId, day).ConfigureAwait(false);
        var profiles = sources.Profiles.Values.ToList();
        var types = string.Join(", ", profiles.GroupBy(p => p.SourceType).OrderByDescending(g => g.Count()).Select(g => $"{Labels.SourceType(g.Key)} {Numbers.Number(g.Count())}"));
        var clouds = string.Join(", ", profiles.Where(p => p.CloudProvider is not null).GroupBy(p => p.CloudProvider!).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        var countries = string.Join(", ", profiles.Where(p => p.CountryCode is not null).GroupBy(p => p.CountryCode!).OrderByDescending(g => g.Count()).Take(6).Select(g => $"{g.Key} {g.Count()}"));
        await output.WriteLineAsync($"   {Dates.Day(day)}: {Numbers.Count(profiles.Count, "source IP", "source IPs")} enriched").ConfigureAwait(false);
        await output.WriteLineAsync($"      source types: {types}").ConfigureAwait(false);
        if (clouds.Length > 0) await output.WriteLineAsync($"      cloud:        {clouds}").ConfigureAwait(false);
        await output.WriteLineAsync($"      countries:    {countries}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"      malicious:    {profiles.Count(p => p.IsMalicious)} listed by {string.Join(", ", profiles.SelectMany(p => p.MaliciousLists).Distinct().Order(StringComparer.Ordinal))}")).ConfigureAwait(false);
    }

    private static async Task<string> RenderReportAsync(IServiceProvider services, string outputDirectory, LocalDate day, TextWriter output)
    {
        await output.WriteLineAsync($"4. Rendering the daily report for {ReportCalendar.IsoDay(day)} (GetDailyReport)…").ConfigureAwait(false);
        await using var scope = services.CreateAsyncScope();
        var reports = scope.ServiceProvider.GetRequiredService<DailyReportService>();
        var (file, generated) = await reports.GetOrCreateWithContentAsync(day).ConfigureAwait(false);
        var (current, content) = await reports.OpenReadAsync(file, generated).ConfigureAwait(false);
        var directory = Path.Combine(outputDirectory, "reports");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, current.FileName);
        await using (content.ConfigureAwait(false))
        {
            var target = File.Create(path);
            await using (target.ConfigureAwait(false))
            {
                await content.CopyToAsync(target).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"   {current.Pages} pages, {current.Length / 1024.0:F0} KB, SHA-256 {current.Sha256}; cached as blob {current.BlobName}")).ConfigureAwait(false);
        await output.WriteLineAsync($"   Report written to {path}").ConfigureAwait(false);
        return path;
    }

    /// <summary>
    /// Yesterday's digest as each chat platform would get it (SendDailyDigest without posting to any channel): files
    /// under out/digest (or Demo:DigestOutput) and, when Demo:ChatSinkUrl is set, a POST of each to {sink}/{platform}.
    /// </summary>
    private static async Task<(string Directory, EmailPreview Email)> PreviewDigestAsync(IServiceProvider services, string outputDirectory, LocalDate day, IConfiguration configuration, TextWriter output)
    {
        await output.WriteLineAsync($"5. Rendering the chat digest for {ReportCalendar.IsoDay(day)} for each platform (SendDailyDigest, preview)…").ConfigureAwait(false);
        var directory = configuration["Demo:DigestOutput"] ?? Path.Combine(outputDirectory, "digest");
        Uri? sink = null;
        if (configuration["Demo:ChatSinkUrl"] is { Length: > 0 } sinkText && !Uri.TryCreate(sinkText, UriKind.Absolute, out sink))
        {
            await output.WriteLineAsync($"   Demo:ChatSinkUrl '{sinkText}' is not an absolute URL; not posting.").ConfigureAwait(false);
        }

        IReadOnlyList<PreviewFile> files;
        EmailPreview email;
        await using (var scope = services.CreateAsyncScope())
        {
            var preview = scope.ServiceProvider.GetRequiredService<DigestPreview>();
            var message = await preview.ComposeAsync(day).ConfigureAwait(false);
            files = await preview.WriteAsync(message, directory, sink).ConfigureAwait(false);
            email = await preview.WriteEmailAsync(message, DemoEmail(), directory, services.GetRequiredService<TimeProvider>().GetUtcNow()).ConfigureAwait(false);
        }

        foreach (var file in files)
        {
            var posted = sink is null ? "" : file.SinkStatus is { } status ? $"; posted to the chat sink: HTTP {status}" : $"; chat sink unreachable: {file.SinkError}";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"   {file.Kind,-8} {file.Path}  {file.Bytes:N0} bytes, {file.IncidentsShown} incident(s) listed, {file.IncidentsOmitted:N0} more counted{posted}")).ConfigureAwait(false);
        }

        if (sink is null)
        {
            await output.WriteLineAsync("   Set Demo__ChatSinkUrl (e.g. http://127.0.0.1:9999/) to also POST each payload to <url>/<platform>; Digest__Channels__0__… posts for real.").ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"   {"email",-8} {email.EmlPath}  {email.Bytes:N0} bytes, {(email.Payload.Attached ? "PDF attached" : "PDF linked only")}; its HTML body alone: {email.HtmlPath}")).ConfigureAwait(false);
        return (directory, email);
    }

    /// <summary>The Email channel the demo renders for (and, with --serve, sends to its own maildev): example addresses only.</summary>
    private static EmailOptions DemoEmail() => new()
    {
        From = "incident-digest@demo.invalid",
        FromName = "Incident digest (demo)",
        To = "security-team@demo.invalid",
        Host = "127.0.0.1",
        Security = SmtpSecurity.None,
    };

    /// <summary>Starts maildev and sends it the previewed email through the real SMTP client: a mailbox to look at.</summary>
    private static async Task<MailDevProcess?> SendToMailDevAsync(IServiceProvider services, EmailPreview email, string root, TextWriter output)
    {
        MailDevProcess maildev;
        try
        {
            maildev = await MailDevProcess.StartAsync(root).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            await output.WriteLineAsync($"   maildev could not start ({UntrustedText.Sanitize(ex.Message, 200)}); the email is still in {email.EmlPath}").ConfigureAwait(false);
            return null;
        }

        var settings = DemoEmail();
        settings.Port = maildev.SmtpPort;
        var channel = new ChannelOptions { Name = "demo-mail", Kind = ChannelKind.Email, Email = settings };
        var outcome = await services.GetRequiredService<EmailClient>().SendAsync(channel, email.Payload).ConfigureAwait(false);
        await output.WriteLineAsync(outcome.Result == DeliveryResult.Delivered
            ? $"   Email digest sent to maildev (SMTP 127.0.0.1:{maildev.SmtpPort}): view it at {maildev.WebAddress}"
            : $"   maildev did not take the email ({outcome.Error}); it is still in {email.EmlPath}").ConfigureAwait(false);
        return maildev;
    }

    /// <summary>Keeps the local runner up on the same storage and simulator, and prints the report's URLs.</summary>
    private static async Task<int> ServeAsync(string[] args, Dictionary<string, string?> settings, LocalDate day, EmailPreview email, string root, TextWriter output)
    {
        var builder = RunnerWebBuilder.Create(args);
        builder.Configuration.AddInMemoryCollection(settings).AddCommandLine(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        var app = builder.Build();
        await using var disposeApp = app.ConfigureAwait(false);
        app.MapLocalRunnerRoutes();
        app.Services.ValidateSettings();
        await app.StartAsync().ConfigureAwait(false);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var shared = await scope.ServiceProvider.GetRequiredService<DailyReportService>().PublishAsync(day).ConfigureAwait(false);
            var keys = app.Services.GetRequiredService<FunctionKeys>();
            var keyed = $"{app.Urls.First()}/api/reports/daily/{ReportCalendar.IsoDay(day)}.pdf";
            await output.WriteLineAsync($"6. Local runner serving on {string.Join(", ", app.Urls)} (timers and queues running; Ctrl+C stops)").ConfigureAwait(false);
            await output.WriteLineAsync($"   Signed link (no key, expires {shared.ExpiresAt:u}): {shared.Url}").ConfigureAwait(false);
            // The key is not printed: terminals end up in logs and screen shares.
            await output.WriteLineAsync(keys.KeyFile is { } keyFile
                ? $"   With the function key:  curl -H \"{FunctionKeys.HeaderName}: $(cat {keyFile})\" {keyed} -o report.pdf"
                : $"   With one of LocalRunner:FunctionKeys (header {FunctionKeys.HeaderName} or ?{FunctionKeys.QueryName}=): {keyed}").ConfigureAwait(false);
        }

        // maildev lives as long as the runner serves, so the email stays viewable.
        await using var maildev = await SendToMailDevAsync(app.Services, email, root, output).ConfigureAwait(false);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task<AzuriteProcess> StartAzuriteAsync(string root, TextWriter output, ILoggerFactory loggerFactory)
    {
        await output.WriteLineAsync("Starting Azurite (in memory; installs the repository's npm packages first if needed)…").ConfigureAwait(false);
        var azurite = await AzuriteProcess.StartAsync(root, logger: loggerFactory.CreateLogger("Azurite")).ConfigureAwait(false);
        await output.WriteLineAsync($"   Azurite tables on 127.0.0.1:{azurite.TablePort}, queues on {azurite.QueuePort}, blobs on {azurite.BlobPort}").ConfigureAwait(false);
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
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var today = calendar.DayOf(now);

        await output.WriteLineAsync($"2. Stored in table '{storage.TablePrefix}{storage.IncidentsTable}' (one partition per report day, zone {calendar.ZoneId}):").ConfigureAwait(false);
        for (var day = today.PlusDays(-2); day <= today; day = day.PlusDays(1))
        {
            var rows = new List<IncidentEntity>();
            await foreach (var row in store.GetDayAsync(pull.TenantId, day).ConfigureAwait(false)) rows.Add(row);
            // Up to where this pull reached: the seconds since are not a gap, just not pulled yet.
            var dayCoverage = await coverage.GetDayAsync(pull.TenantId, day, pull.PulledUntil ?? now).ConfigureAwait(false);
            await output.WriteLineAsync(
                $"   {Dates.Day(day)}: {Numbers.Count(rows.Count, "incident", "incidents")}, {Numbers.Count(rows.Sum(r => r.Hits), "hit", "hits")}; coverage {Describe(dayCoverage, calendar)}").ConfigureAwait(false);
            if (rows.Count == 0) continue;
            var statuses = string.Join(", ", rows.GroupBy(r => r.ReadStatus()).OrderByDescending(g => g.Count()).Select(g => $"{Labels.Status(g.Key)} {Numbers.Number(g.Count())}"));
            var types = string.Join(", ", rows.GroupBy(r => r.AttackType).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{Clean(g.Key)} {g.Count()}"));
            await output.WriteLineAsync($"      status: {statuses}").ConfigureAwait(false);
            await output.WriteLineAsync($"      types:  {types}").ConfigureAwait(false);
            var top = rows.OrderByDescending(r => r.Hits).First();
            var title = vulnerabilities.TryGetValue(top.VulnerabilityId, out var v) && v.Title is not null ? v.Title : Labels.UnnamedIssue(top.VulnerabilityId);
            await output.WriteLineAsync(
                $"      most hits: {Clean(top.AttackType)} on {Clean(top.Domain)}{Clean(top.Path)} ({Numbers.Count(top.Hits, "hit", "hits")}, {Labels.Status(top.ReadStatus())}) exploiting \"{Clean(title)}\"").ConfigureAwait(false);
        }
    }

    /// <summary>In the words the report and the digest use for the same coverage.</summary>
    private static string Describe(DayCoverage coverage, ReportCalendar calendar)
        => coverage.IsComplete
            ? $"{Durations.Duration(coverage.CoveredDuration)} pulled, no gaps"
            : $"{Durations.Duration(coverage.CoveredDuration)} pulled, missing {string.Join(", ", coverage.Missing.Select(m => Dates.Span(m.From, m.To, calendar.Zone, coverage.Day)))} ({calendar.ZoneId})";

    // Attacker text on a terminal: control and bidi characters escaped, length bounded.
    private static string Clean(string? text) => UntrustedText.Sanitize(text, 60);
}
