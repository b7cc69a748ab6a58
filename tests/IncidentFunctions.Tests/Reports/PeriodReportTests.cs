using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Testing;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>Weekly and monthly reports from stored days (real Azurite, the real composition root), read back with PdfPig.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class PeriodReportTests(AzuriteFixture azurite)
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(5, 32).Select(i => (byte)i).ToArray());
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero); // Monday of 2026-W49: W48 is complete
    private static readonly LocalDate Monday = new(2026, 11, 23);
    private const long Tenant = 79;

    private Task<AppHarness> StartAsync(DateTimeOffset? now = null)
        => AppHarness.StartAsync(azurite, o => { o.ClientId = Tenant; o.HostileTextShare = 0; }, settings: new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = Tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:TimeZone"] = "UTC",
            ["Reports:SigningKeys:k1"] = Key,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://reports.example.test/api/",
            ["Reports:CacheRevalidateAfter"] = "00:00:00",
            ["Storage:ReportsContainer"] = "p" + Guid.NewGuid().ToString("N")[..20],
        }, clock: new ManualClock(now ?? Now));

    private static Incident Incident(string id, DateTimeOffset first, TimeSpan duration, string ip, long hits, long vulnerability = 11, IncidentStatus status = IncidentStatus.Blocked)
        => TestIncidents.Sqli(Tenant, id, first, duration, hits, ip, vulnerability: vulnerability, status: status);

    private static DateTimeOffset At(LocalDate day, int hour) => new(day.Year, day.Month, day.Day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// W48: 203.0.113.1 on Monday and Tuesday, .2 only on Monday, .3 on Tuesday and Wednesday, .4 in one incident
    /// from Wednesday night into Thursday (two stored days), .5 twice on Friday. Issue 11 was hit in W47 too; 12 is new.
    /// </summary>
    private static async Task SeedAsync(AppHarness app)
        => await app.Get<IncidentStore>().UpsertAsync(
        [
            Incident("w:1", At(Monday, 8), TimeSpan.FromMinutes(10), "203.0.113.1", 10),
            Incident("w:2", At(Monday, 9), TimeSpan.FromMinutes(10), "203.0.113.2", 5, status: IncidentStatus.Monitoring),
            Incident("w:3", At(Monday.PlusDays(1), 8), TimeSpan.FromMinutes(10), "203.0.113.1", 7, vulnerability: 12),
            Incident("w:4", At(Monday.PlusDays(1), 10), TimeSpan.FromMinutes(10), "203.0.113.3", 3),
            Incident("w:5", At(Monday.PlusDays(2), 10), TimeSpan.FromMinutes(10), "203.0.113.3", 2, status: IncidentStatus.PartiallyBlocked),
            Incident("w:6", At(Monday.PlusDays(2), 23), TimeSpan.FromHours(2), "203.0.113.4", 4),
            Incident("w:7", At(Monday.PlusDays(4), 6), TimeSpan.FromMinutes(10), "203.0.113.5", 1),
            Incident("w:8", At(Monday.PlusDays(4), 7), TimeSpan.FromMinutes(10), "203.0.113.5", 1),
            Incident("p:1", At(Monday.PlusDays(-3), 7), TimeSpan.FromMinutes(10), "198.51.100.1", 20),
        ], Now, TestContext.Current.CancellationToken);

    private static Task<(int Status, IHeaderDictionary Headers, byte[] Body)> SendAsync<TRoute>(AppHarness app, string kind, string period, string method = "GET", string? ifNoneMatch = null, string? query = null)
        where TRoute : class, IHttpRoute
        => app.SendAsync<TRoute>(request =>
        {
            request.Method = method;
            request.RouteValues[ReportCsvEndpoint.KindRouteValue] = kind;
            request.RouteValues[ReportCsvEndpoint.PeriodRouteValue] = period;
            if (ifNoneMatch is not null) request.Headers.IfNoneMatch = ifNoneMatch;
            if (query is not null) request.QueryString = new QueryString("?" + query);
        });

    [Fact]
    public async Task Build_StoredWeek_PerDayFiguresAreTheStoredDaysSumsAndRecurringAttackersTheIpsOnTwoOrMoreDays()
    {
        await using var app = await StartAsync();
        await SeedAsync(app);
        var week = ReportPeriod.Week(2026, 48);

        var report = await app.Get<PeriodReportBuilder>().BuildAsync(Tenant, week, TestContext.Current.CancellationToken);

        var stored = new Dictionary<LocalDate, List<IncidentEntity>>();
        foreach (var day in week.Days)
        {
            stored[day] = [];
            await foreach (var row in app.Get<IncidentStore>().GetDayAsync(Tenant, day, TestContext.Current.CancellationToken)) stored[day].Add(row);
        }

        Assert.Equal(week.Days, report.Days.Select(d => d.Day));
        Assert.All(report.Days, d =>
        {
            Assert.Equal(stored[d.Day].Count, d.Incidents);
            Assert.Equal(stored[d.Day].Sum(r => r.Hits), d.Hits);
            Assert.Equal(stored[d.Day].Count(r => r.ReadStatus() == IncidentStatus.Blocked), d.Blocked);
        });
        Assert.Equal(9, report.Days.Sum(d => d.Incidents)); // w:6 is stored on Wednesday and Thursday

        // The period's own figures count each incident once.
        var distinct = stored.Values.SelectMany(r => r).GroupBy(r => r.IncidentId).Select(g => g.First()).ToList();
        Assert.Equal(distinct.Count, report.Figures.Incidents);
        Assert.Equal(8, report.Figures.Incidents);
        Assert.Equal(distinct.Sum(r => r.Hits), report.Figures.Hits);
        Assert.Equal(1, report.PreviousFigures.Incidents);

        var daysByIp = stored.SelectMany(kv => kv.Value.SelectMany(r => r.ReadTopIps()).Select(ip => (ip.Ip, Day: kv.Key)))
            .GroupBy(x => x.Ip).Where(g => g.Select(x => x.Day).Distinct().Count() >= 2).Select(g => g.Key).Order().ToList();
        Assert.Equal(daysByIp, report.RecurringAttackers.Select(a => a.Ip).Order());
        Assert.Equal(["203.0.113.1", "203.0.113.3", "203.0.113.4"], daysByIp);
        var first = Assert.Single(report.RecurringAttackers, a => a.Ip == "203.0.113.1");
        Assert.Equal([Monday, Monday.PlusDays(1)], first.Days);
        Assert.Equal(17, first.Hits);
        Assert.Equal(4, Assert.Single(report.RecurringAttackers, a => a.Ip == "203.0.113.4").Hits); // one incident over two days: its hits once

        Assert.False(Assert.Single(report.Issues, i => i.Issue.VulnerabilityId == 11).New);
        var fresh = Assert.Single(report.Issues, i => i.Issue.VulnerabilityId == 12);
        Assert.True(fresh.New);
        Assert.Equal([Monday.PlusDays(1)], fresh.DaysHit);
        Assert.Equal(Monday.PlusDays(0), report.BusiestDays[0].Day);
        Assert.Equal("https://reports.example.test/api/reports/daily/2026-11-23.pdf", report.BusiestDays[0].Link!.AbsoluteUri);
        Assert.False(report.Partial);
    }

    [Fact]
    public async Task Build_PreviousWeek_ReadWithOnlyTheFigureColumns_CountsAsTheFullRowsDo()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await StartAsync();
        await SeedAsync(app);
        var previousMonday = Monday.PlusDays(-7);
        await app.Get<IncidentStore>().UpsertAsync(
        [
            Incident("q:1", At(previousMonday, 8), TimeSpan.FromMinutes(10), "198.51.100.2", 30, vulnerability: 13, status: IncidentStatus.Monitoring),
            Incident("q:2", At(previousMonday, 23), TimeSpan.FromHours(3), "198.51.100.1", 9, status: IncidentStatus.PartiallyBlocked), // over two days
            Incident("q:3", At(previousMonday.PlusDays(2), 8), TimeSpan.FromMinutes(10), "198.51.100.9", 1000) with { State = "falsepositive" },
        ], Now, ct);

        var report = await app.Get<PeriodReportBuilder>().BuildAsync(Tenant, ReportPeriod.Week(2026, 48), ct);

        // p:1, q:1, q:2 (once, though stored on two days); the false positive left out as in every report.
        Assert.Equal(3, report.PreviousFigures.Incidents);
        Assert.Equal(20 + 30 + 9, report.PreviousFigures.Hits);
        Assert.Equal(2, report.PreviousFigures.UniqueSourceIps);
        Assert.Equal((1, 1, 1), (report.PreviousFigures.Blocked, report.PreviousFigures.PartiallyBlocked, report.PreviousFigures.Monitoring));
        Assert.Equal(11, report.PreviousFigures.MostExploited!.VulnerabilityId);
        // Issue 11 was exploited the week before (p:1, q:2), 12 was not: one new, one still exploited.
        Assert.Equal((2, 1), (report.IssuesTotal, report.NewIssuesTotal));
    }

    /// <summary>
    /// From storage a month is scanned with fewer columns and its listed rows read again by key; the model equals the
    /// one computed from the same days' full rows held at once. 130 incidents in November (the top 100 listed), some
    /// over two days, one a false positive.
    /// </summary>
    [Fact]
    public async Task BuildAsync_MonthOfMoreThanTheTop_EqualsTheModelFromTheFullStoredRows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await StartAsync();
        await SeedAsync(app);
        var first = new LocalDate(2026, 11, 1);
        await app.Get<IncidentStore>().UpsertAsync(
            [
                .. Enumerable.Range(0, 120).Select(i => Incident($"m:{i:D3}", At(first.PlusDays(i % 28), 22), TimeSpan.FromHours(i % 3 == 0 ? 3 : 1), $"192.0.2.{i % 9}", 1 + (i % 30), vulnerability: 20 + (i % 4))),
                Incident("m:fp", At(first.PlusDays(3), 5), TimeSpan.FromMinutes(5), "192.0.2.99", 5_000) with { State = "falsepositive" },
            ], Now, ct);
        var month = ReportPeriod.Month(2026, 11);

        var report = await app.Get<PeriodReportBuilder>().BuildAsync(Tenant, month, ct);

        async Task<List<PeriodDayInputs>> ReadAsync(ReportPeriod period, bool coverage)
        {
            var days = new List<PeriodDayInputs>();
            foreach (var day in period.Days)
            {
                var rows = new List<IncidentEntity>();
                if (day <= new LocalDate(2026, 11, 30))
                {
                    await foreach (var row in app.Get<IncidentStore>().GetDayAsync(Tenant, day, ct)) rows.Add(row);
                }

                days.Add(new PeriodDayInputs(
                    day,
                    rows,
                    day <= new LocalDate(2026, 11, 30) ? await app.Get<IncidentFunctions.Enrichment.SourceProfileStore>().GetDayAsync(Tenant, day, ct) : IncidentFunctions.Enrichment.SourceDay.Empty,
                    coverage && day <= new LocalDate(2026, 11, 30) ? await app.Get<CoverageLog>().GetDayAsync(Tenant, day, Now, ct) : null));
            }

            return days;
        }

        var inputs = new PeriodReportInputs(Tenant, month, await ReadAsync(month, coverage: true), await ReadAsync(month.Previous(), coverage: false), await app.Get<VulnerabilityCatalog>().GetAllAsync(Tenant, ct), Now, Partial: true);
        var held = PeriodReportReference.Build(inputs, app.Get<ReportCalendar>(), app.Get<Microsoft.Extensions.Options.IOptions<ReportOptions>>().Value, app.Get<Microsoft.Extensions.Options.IOptions<IncidentFunctions.Wallarm.WallarmOptions>>().Value.ResolveConsoleAddress());

        Assert.Equal(129, report.IncidentsTotal); // 120 + the seed's 9 (p:1 on the 20th, W48's 8); the false positive left out
        Assert.True(report.IncidentsAreTopOnly);
        Assert.Equal(100, report.Incidents.Count);
        Assert.Equal(PeriodAccumulatorTests.Serialize(held), PeriodAccumulatorTests.Serialize(report));
    }

    [Fact]
    public async Task Weekly_Pdf_ShowsTheFiguresRecurringAttackersAndLinksToBusiestDays_ThenServesFromCacheWith304AndHead()
    {
        await using var app = await StartAsync();
        await SeedAsync(app);
        Assert.False(app.Get<ReportDemand>().AnyRequested);

        var (status, headers, body) = await SendAsync<PeriodReportEndpoint>(app, "weekly", "2026-W48");

        Assert.Equal(200, status);
        // A start-up warm-up still running stops: the request should have the cores.
        Assert.True(app.Get<ReportDemand>().AnyRequested);
        Assert.Equal("application/pdf", headers.ContentType.ToString());
        Assert.Contains("incident-report-2026-W48.pdf", headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.False(headers.ContainsKey(CsvExportResult.PartialHeader));
        var text = PdfText.Words(body);
        Assert.Contains("Weekly incident report", text, StringComparison.Ordinal);
        Assert.Contains("Recurring attackers (source IPs on two or more days: 3)", text, StringComparison.Ordinal);
        Assert.Contains("Security issues exploited (1 new, 1 still exploited from the previous period)", text, StringComparison.Ordinal);
        foreach (var id in new[] { "w:1", "w:2", "w:3", "w:4", "w:5", "w:6", "w:7", "w:8" }) Assert.Contains(id, text, StringComparison.Ordinal);
        using (var document = PdfText.Open(body))
        {
            var links = document.GetPages().SelectMany(p => p.GetHyperlinks()).Select(l => l.Uri).ToList();
            Assert.Contains("https://reports.example.test/api/reports/daily/2026-11-23.pdf", links);
        }

        var again = await SendAsync<PeriodReportEndpoint>(app, "weekly", "2026-W48");
        var notModified = await SendAsync<PeriodReportEndpoint>(app, "weekly", "2026-W48", ifNoneMatch: headers.ETag.ToString());
        var head = await SendAsync<PeriodReportEndpoint>(app, "weekly", "2026-W48", method: "HEAD");
        Assert.Equal(body, again.Body);
        Assert.Equal(304, notModified.Status);
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1408);

        // A late row on one of the week's days changes the revision: regenerated.
        await app.Get<IncidentStore>().UpsertAsync([Incident("w:9", At(Monday.PlusDays(6), 12), TimeSpan.FromMinutes(1), "203.0.113.9", 1)], Now, TestContext.Current.CancellationToken);
        var changed = await SendAsync<PeriodReportEndpoint>(app, "weekly", "2026-W48");
        Assert.NotEqual(headers.ETag.ToString(), changed.Headers.ETag.ToString());
        Assert.Equal(2, app.Logs.GetSnapshot().Count(l => l.Id.Id == 1408));
    }

    [Fact]
    public async Task Monthly_OngoingMonth_IsServedAsPartial_AndLatestIsTheLastCompleteMonth()
    {
        await using var app = await StartAsync();
        await SeedAsync(app);

        var current = await SendAsync<PeriodReportEndpoint>(app, "monthly", "2026-11");
        var latest = await SendAsync<PeriodReportEndpoint>(app, "monthly", "latest");

        Assert.Equal(200, current.Status);
        Assert.Equal("true", current.Headers[CsvExportResult.PartialHeader].ToString());
        var text = PdfText.Words(current.Body);
        Assert.Contains("Monthly incident report", text, StringComparison.Ordinal);
        Assert.Contains("Partial: this period has not ended", text, StringComparison.Ordinal);
        Assert.Equal(200, latest.Status);
        Assert.Contains("incident-report-2026-10.pdf", latest.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.Contains("No incidents", PdfText.Words(latest.Body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("weekly", "2026-W54", 400)]
    [InlineData("weekly", "2026-48", 400)]
    [InlineData("monthly", "2026-13", 400)]
    [InlineData("daily", "2026-11-20", 404)]
    [InlineData("weekly", "2026-W50", 404)]
    [InlineData("monthly", "2026-12", 404)]
    [InlineData("monthly", "2026-08", 404)] // starts more than 90 days before today
    public async Task Period_BadOrUnavailable_AnswersProblem(string kind, string period, int expected)
    {
        await using var app = await StartAsync();

        var (status, headers, _) = await SendAsync<PeriodReportEndpoint>(app, kind, period);

        Assert.Equal(expected, status);
        Assert.Equal("application/problem+json", headers.ContentType.ToString());
    }

    [Fact]
    public async Task Shared_SignedLinkFromPublish_ServesThePdf_OtherPeriodGets403()
    {
        await using var app = await StartAsync();
        await SeedAsync(app);
        var shared = await app.Services.CreateScope().ServiceProvider.GetRequiredService<PeriodReportService>().PublishAsync(ReportPeriod.Week(2026, 48), TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        var query = shared.PathAndQuery[(shared.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..];

        var ok = await SendAsync<SharedPeriodReportEndpoint>(app, "weekly", "2026-W48", query: query);
        var other = await SendAsync<SharedPeriodReportEndpoint>(app, "weekly", "2026-W47", query: query);

        Assert.StartsWith("reports/shared/weekly/2026-W48.pdf?", shared.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(200, ok.Status);
        Assert.Equal(shared.File.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ok.Body)));
        Assert.Equal(403, other.Status);
        Assert.Empty(other.Body);
    }

    [Fact]
    public void Build_BusyMonth_ListsTheTopIncidentsByHitsAndCountsEveryDay()
    {
        var month = ReportPeriod.Month(2026, 2);
        var inputs = ReportPreviewData.CreatePeriod(month, 20, hostile: false);

        var report = PeriodReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions(), null);

        Assert.Equal(28, report.Days.Count);
        Assert.Equal(28 * 20, report.Days.Sum(d => d.Incidents));
        Assert.True(report.IncidentsAreTopOnly);
        Assert.Equal(PeriodReportBuilder.MonthTopIncidents, report.Incidents.Count);
        var all = inputs.Days.SelectMany(d => d.Rows).Select(r => r.Hits).OrderDescending().ToList();
        Assert.Equal(all.Take(PeriodReportBuilder.MonthTopIncidents), report.Incidents.Select(i => i.Hits));
        Assert.NotEmpty(report.RecurringAttackers);
        Assert.All(report.RecurringAttackers, a => Assert.True(a.Days.Count >= 2));
        Assert.Equal(["W05", "W06", "W07", "W08", "W09"], report.AttackTypes.Columns);
    }

    [Fact]
    public void Render_WeekLabelledFromOldData_WarnsOnTheFirstPageAndListsTheDataset()
    {
        var inputs = ReportPreviewData.CreatePeriod(ReportPeriod.Week(2026, 48), 10, timeZone: "Europe/Berlin");
        var built = PeriodReportBuilder.Build(inputs, new ReportCalendar("Europe/Berlin"), new ReportOptions(), null);
        var june = new DateTimeOffset(2026, 6, 17, 0, 0, 0, TimeSpan.Zero);
        var report = built with { Datasets = [new LabelDataset("geo-whois-asn-country", june, june)] };

        var pages = PdfText.FlatPages(new PeriodReportDocument(report, PageGeometry.A4Landscape).Render().Pdf);

        var days = (int)(report.Window.From - june).TotalDays; // before the week's first local midnight
        Assert.Contains($"Warning: source labels from geo-whois-asn-country come from data of 2026-06-17, {days} days before this period.", pages[0], StringComparison.Ordinal);
        Assert.Contains("Source labels come from: geo-whois-asn-country (data of 2026-06-17).", pages[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("source labels from", string.Join(' ', PdfText.Pages(new PeriodReportDocument(built, PageGeometry.A4Landscape).Render().Pdf)), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PreviewWeekAndMonth_WritesPdfsForALook()
    {
        Directory.CreateDirectory(ReportPreviewTests.Folder);
        foreach (var (period, perDay) in new[] { (ReportPeriod.Week(2026, 48), 25), (ReportPeriod.Month(2026, 10), 40) })
        {
            var inputs = ReportPreviewData.CreatePeriod(period, perDay, timeZone: "Europe/Berlin");
            var options = new ReportOptions { CompanyName = "Example Corp", PublicBaseUrl = new Uri("https://reports.example.test/api/") };
            var report = PeriodReportBuilder.Build(inputs, new ReportCalendar("Europe/Berlin"), options, new Uri("https://my.wallarm.com/"));

            var rendered = new PeriodReportDocument(report, PageGeometry.A4Landscape).Render();

            File.WriteAllBytes(Path.Combine(ReportPreviewTests.Folder, $"period-{period.Key}.pdf"), rendered.Pdf);
            Assert.Empty(PdfText.OverlappingWords(rendered.Pdf));
            Assert.Contains("Recurring attackers", string.Concat(PdfText.Pages(rendered.Pdf)), StringComparison.Ordinal);
        }
    }
}
