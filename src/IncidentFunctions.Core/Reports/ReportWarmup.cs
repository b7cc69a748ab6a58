using System.Diagnostics;
using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;
using NodaTime;
using Polly.Timeout;

namespace IncidentFunctions.Reports;

/// <summary>
/// Renders a made-up day of 240 incidents in the background when the host has started (<c>Reports:WarmUpOnStart</c>):
/// a fresh process pays its one-time costs — JIT of the model, layout, shaping and chart code, font and Skia PDF
/// initialisation — here instead of on the first report request. One render leaves most of the code at the JIT's
/// first tier (a method is recompiled optimised after 30 calls and a quiet 100 ms), so a first real day still rendered
/// at about three times its later cost; the render is repeated a few times (per-page code then has its 30 calls),
/// pausing for the JIT between, unless a report has been asked for meanwhile (that request does the rest of the
/// warming and should have the cores). Meanwhile, when a service provider is given, a request's storage path runs
/// (<see cref="DailyReportService.WarmUpAsync"/>): the latest day's checks, then a model built from a page of each
/// set of the most recent day with rows, then a scratch file stored and deleted. It stops when the first report is
/// asked for. No report is stored (a day without a change mark gets one, as on any request); a failure is logged and
/// changes nothing else. The warm-up logs that it is done once both parts have finished.
/// </summary>
internal sealed class ReportWarmup(IOptions<ReportOptions> options, ReportDemand demand, ILogger<ReportWarmup> logger, IServiceScopeFactory? scopes = null) : BackgroundService
{
    /// <summary>A day long enough for the incident table to run over many pages, so per-page code is warmed as well.</summary>
    private const int Incidents = 240;

    /// <summary>Renders after the first, while no report has been asked for.</summary>
    internal const int Repeats = 4;

    /// <summary>Longer than the runtime's tiering delay (100 ms without new first-tier code) so promotions happen between renders.</summary>
    private static readonly TimeSpan PauseBetweenRenders = TimeSpan.FromMilliseconds(150);

    private static readonly string[] Domains = ["example.com", "shop.example.com", "пример.испытание", "api.example.org"];

    private static readonly string[] Countries = ["NL", "US", "DE", "CN", "BR"];

    private static readonly string[] IssueTitles = ["SQL injection in the search API", "حقن SQL في واجهة البحث", "搜索接口的 SQL 注入", "검색 API의 SQL 삽입 🔥"];

    private static readonly Uri WarmUpConsole = new("https://my.wallarm.com/");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUpOnStart) return;
        // Off the host's start: StartAsync returns at once and the render runs on the thread pool.
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        var storage = WarmUpStorageAsync(stoppingToken);
        try
        {
            var pages = Render(options.Value);
            var renders = 1;
            while (renders <= Repeats && !demand.AnyRequested)
            {
                await Task.Delay(PauseBetweenRenders, stoppingToken).ConfigureAwait(false);
                if (demand.AnyRequested) break;
                Render(options.Value);
                renders++;
            }

            await storage.ConfigureAwait(false);
            var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            ReportsLog.WarmedUp(logger, pages, renders, elapsedMs);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ReportsLog.WarmUpFailed(logger, ex);
        }

        await storage.ConfigureAwait(false);
    }

    private async Task WarmUpStorageAsync(CancellationToken cancellationToken)
    {
        if (scopes is null) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, demand.FirstRequest);
        try
        {
            var started = Stopwatch.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var read = await scope.ServiceProvider.GetRequiredService<DailyReportService>().WarmUpAsync(stop.Token).ConfigureAwait(false);
            if (read is not null)
            {
                var (day, elapsedMs) = (ReportCalendar.IsoDay(read.Day), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                ReportsLog.WarmedUpFromStorage(logger, day, read.Incidents, elapsedMs);
            }
        }
        catch (OperationCanceledException) when (demand.AnyRequested && !cancellationToken.IsCancellationRequested)
        {
            ReportsLog.StorageWarmUpStopped(logger);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException || StorageFailure.IsUnavailable(ex))
        {
            // Wallarm or storage out of reach at start is an outage, not a fault of the program: one line, no stack
            // trace (the pull and the first request report it again, in full).
            ReportsLog.StorageWarmUpUnreachable(logger, FailureText.Describe(ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ReportsLog.StorageWarmUpFailed(logger, ex);
        }
    }

    /// <summary>Builds and renders the made-up day; returns its page count.</summary>
    /// <remarks>
    /// The day carries what real days do, so their code is warmed as well: security issues with titles in several
    /// scripts and Console links (the issue table, shaping, bidi, fallback fonts), several countries and source types,
    /// reputation lists, an internationalised domain, an attacker URL (defanging) and a bidi control (escapes).
    /// </remarks>
    internal static int Render(ReportOptions options)
    {
        var calendar = new ReportCalendar("UTC");
        var day = new LocalDate(2026, 1, 15);
        var window = calendar.WindowOf(day);
        var rows = new List<IncidentEntity>(Incidents);
        for (var n = 0; n < Incidents; n++)
        {
            var first = window.From.AddMinutes(n * 53 % 1_380);
            var ip = string.Create(CultureInfo.InvariantCulture, $"192.0.2.{n + 1}");
            var incident = new Incident
            {
                TenantId = 1,
                Id = string.Create(CultureInfo.InvariantCulture, $"warmup{n:D3}"),
                FirstSeen = first,
                LastSeen = first.AddMinutes(7),
                AttackType = (n % 3) switch { 0 => "sqli", 1 => "xss", _ => "ptrav" },
                Domain = Domains[n % Domains.Length],
                Path = (n % 7) switch
                {
                    0 => "/login?next=https://evil.example/account",
                    1 => "/files/report\u202Etxt.exe",
                    2 => "/search/हमला",
                    _ => string.Create(CultureInfo.InvariantCulture, $"/api/v1/items/{n}"),
                },
                Method = n % 4 == 0 ? "POST" : "GET",
                Parameter = n % 5 == 0 ? "post.query" : "get.id",
                Hits = 10 + n,
                IpCount = 1,
                TopIps = [new IncidentSourceIp(ip, 10 + n, Countries[n % Countries.Length])],
                VulnerabilityId = n % 5 == 0 ? 0 : 1_000 + (n % IssueTitles.Length),
                Threat = 50,
                Status = n % 2 == 0 ? IncidentStatus.Blocked : IncidentStatus.Monitoring,
            };
            rows.Add(IncidentEntity.From(incident, DayPartition.Key(1, day), ReportCalendar.IsoDay(day), calendar.ZoneId, window.To));
        }

        var sources = new SourceDay(
            rows.Select((r, n) => new SourceProfile
            {
                Ip = r.ReadTopIps()[0].Ip,
                CountryCode = Countries[n % Countries.Length],
                Asn = 64496,
                AsOrganization = "Example",
                SourceType = (n % 4) switch { 0 => SourceType.Tor, 1 => SourceType.CloudPlatform, 2 => SourceType.Vpn, _ => SourceType.Unknown },
                CloudProvider = n % 4 == 1 ? "AWS" : null,
                MaliciousLists = n % 6 == 0 ? ["FireHOL level 1"] : [],
            }).ToDictionary(p => p.Ip, StringComparer.Ordinal),
            []);
        var issues = Enumerable.Range(0, IssueTitles.Length).ToDictionary(
            i => 1_000L + i,
            i => new VulnerabilityEntity { VulnerabilityId = 1_000 + i, Found = true, Title = IssueTitles[i], Type = "sqli" });
        var inputs = new DailyReportInputs(1, day, rows, rows, new DayCoverage(day, window, [window], []), issues, sources, SourceDay.Empty, window.To.AddHours(1));
        var model = DailyReportBuilder.Build(inputs, calendar, options, WarmUpConsole);
        return new DailyReportDocument(model, DailyReportDocument.GeometryFor(options.PageSize)).Render().Pages;
    }
}
