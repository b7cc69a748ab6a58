using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Wallarm;
using IncidentFunctions.WallarmSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>The report routes against real Azurite and the real composition root, with incidents written through IncidentStore.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportEndpointsTests(AzuriteFixture azurite)
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
    private const long Tenant = 77;

    private Task<AppHarness> StartAsync(string zone = "UTC", DateTimeOffset? now = null, double hostileShare = 0.02, string? storage = null, bool discoverTenant = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = Tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:TimeZone"] = zone,
            ["Reports:SigningKeys:k1"] = Key,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://reports.example.test/api/",
            ["Reports:CacheRevalidateAfter"] = "00:00:00",
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
        };
        if (storage is not null) settings["Storage:ConnectionString"] = storage;
        if (discoverTenant) settings.Remove("Wallarm:ClientId");
        return AppHarness.StartAsync(azurite, o => { o.ClientId = Tenant; o.HostileTextShare = hostileShare; }, settings: settings, clock: new ManualClock(now ?? Now));
    }

    private static Incident Incident(string id, DateTimeOffset first, TimeSpan duration, long hits = 5)
        => TestIncidents.Sqli(Tenant, id, first, duration, hits);

    /// <summary>One request for <paramref name="date"/> through the route (<see cref="AppHarness.SendAsync"/>).</summary>
    private static Task<(int Status, IHeaderDictionary Headers, byte[] Body)> SendAsync<TRoute>(AppHarness app, string date, string method = "GET", string? query = null, string? ifNoneMatch = null)
        where TRoute : class, IHttpRoute
        => app.SendAsync<TRoute>(request =>
        {
            request.Method = method;
            request.RouteValues[DailyReportEndpoint.DateRouteValue] = date;
            if (query is not null) request.QueryString = new QueryString("?" + query);
            if (ifNoneMatch is not null) request.Headers.IfNoneMatch = ifNoneMatch;
        });

    private static async Task SeedAsync(AppHarness app, params Incident[] incidents)
        => await app.Get<IncidentStore>().UpsertAsync(incidents, app.Clock.GetUtcNow(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Daily_PastDay_ReturnsThePdfWithDownloadAndCacheHeaders()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Incident("a:1", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(20)));

        var (status, headers, body) = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        Assert.Equal(200, status);
        Assert.Equal("application/pdf", headers.ContentType.ToString());
        Assert.Equal(body.Length, headers.ContentLength);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(body, 0, 5), StringComparison.Ordinal);
        Assert.Contains("incident-report-2026-11-20.pdf", headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("\"", headers.ETag.ToString(), StringComparison.Ordinal);
        Assert.Contains("no-cache", headers.CacheControl.ToString(), StringComparison.Ordinal);
        Assert.Contains("a:1", string.Concat(PdfText.Pages(body)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daily_SecondRequest_IsServedFromBlobUntilIncidentsChange()
    {
        await using var app = await StartAsync();
        var day = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
        await SeedAsync(app, Incident("a:1", day, TimeSpan.FromMinutes(20)));

        var first = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");
        var second = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");
        Assert.Equal(first.Body, second.Body);
        Assert.StartsWith("Generated the report of 2026-11-20 (missing)", Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1400).Message, StringComparison.Ordinal);
        Assert.StartsWith("The stored report of 2026-11-20 (generated", Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1401).Message, StringComparison.Ordinal);

        await SeedAsync(app, Incident("late:2", day.AddHours(3), TimeSpan.FromMinutes(5)));
        var third = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        Assert.Equal(2, app.Logs.GetSnapshot().Count(l => l.Id.Id == 1400));
        Assert.NotEqual(first.Headers.ETag.ToString(), third.Headers.ETag.ToString());
        Assert.Contains("late:2", string.Concat(PdfText.Pages(third.Body)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daily_IssueTitleFetchedAfterCaching_RegeneratesOnce_AndCatalogBookkeepingDoesNot()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Incident("a:1", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(20)));
        var first = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");
        Assert.Contains("Security issue 11", string.Concat(PdfText.Pages(first.Body)), StringComparison.Ordinal);

        // The catalog fetches the title later (no incident row of the day changes).
        var table = await app.Get<StorageClients>().GetTableAsync(app.Get<StorageClients>().Options.VulnerabilitiesTable, TestContext.Current.CancellationToken);
        var issue = new VulnerabilityEntity
        {
            PartitionKey = Tenant.ToString(CultureInfo.InvariantCulture),
            RowKey = VulnerabilityEntity.RowKeyFor(11),
            VulnerabilityId = 11,
            Found = true,
            Title = "Order export leaks invoices",
            Status = "open",
            FetchedAt = Now,
        };
        await table.UpsertEntityAsync(issue, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        var second = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        Assert.Equal(2, app.Logs.GetSnapshot().Count(l => l.Id.Id == 1400));
        Assert.Contains("Order export leaks invoices", string.Concat(PdfText.Pages(second.Body)), StringComparison.Ordinal);

        // A refresh that brings the same text only moves the catalog's bookkeeping: the stored PDF stays.
        issue.FetchedAt = Now.AddHours(1);
        issue.Attempts = 0;
        await table.UpsertEntityAsync(issue, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        var third = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        Assert.Equal(2, app.Logs.GetSnapshot().Count(l => l.Id.Id == 1400));
        Assert.Equal(second.Headers.ETag.ToString(), third.Headers.ETag.ToString());
    }

    [Fact]
    public async Task Daily_MatchingIfNoneMatch_Returns304WithoutBody_AndHeadReturnsHeadersOnly()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Incident("a:1", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(20)));
        var first = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        var notModified = await SendAsync<DailyReportEndpoint>(app, "2026-11-20", ifNoneMatch: first.Headers.ETag.ToString());
        var stale = await SendAsync<DailyReportEndpoint>(app, "2026-11-20", ifNoneMatch: "\"0000\"");
        var head = await SendAsync<DailyReportEndpoint>(app, "2026-11-20", method: "HEAD");

        Assert.Equal(304, notModified.Status);
        Assert.Empty(notModified.Body);
        Assert.Equal(first.Headers.ETag.ToString(), notModified.Headers.ETag.ToString());
        Assert.Equal(200, stale.Status);
        Assert.Equal(first.Body, stale.Body);
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal(first.Body.Length, head.Headers.ContentLength);
        Assert.Equal(first.Headers.ETag.ToString(), head.Headers.ETag.ToString());
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("20261120")]
    [InlineData("2026-11-20T00:00")]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    public async Task Daily_BadDate_Returns400ProblemJson(string date)
    {
        await using var app = await StartAsync();

        var (status, headers, body) = await SendAsync<DailyReportEndpoint>(app, date);

        Assert.Equal(400, status);
        Assert.StartsWith("application/problem+json", headers.ContentType.ToString(), StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("yyyy-MM-dd", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-08-01")] // before the 90-day retention
    [InlineData("2026-11-22")] // tomorrow
    public async Task Daily_DayOutsideRetention_Returns404(string date)
    {
        await using var app = await StartAsync();

        var (status, _, _) = await SendAsync<DailyReportEndpoint>(app, date);

        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Daily_Latest_IsYesterdayInTheReportZone()
    {
        // 00:30 on Nov 21 in Tokyo is still Nov 20 in UTC: "latest" must be Nov 20 there, Nov 19 in UTC.
        var now = new DateTimeOffset(2026, 11, 20, 15, 30, 0, TimeSpan.Zero);
        await using var tokyo = await StartAsync("Asia/Tokyo", now);
        await using var utc = await StartAsync("UTC", now);

        var inTokyo = await SendAsync<DailyReportEndpoint>(tokyo, "latest");
        var inUtc = await SendAsync<DailyReportEndpoint>(utc, "latest");

        Assert.Contains("incident-report-2026-11-20.pdf", inTokyo.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.Contains("incident-report-2026-11-19.pdf", inUtc.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_ValidSignedLink_ServesTheSamePdf_ExpiredOrTamperedGets403WithoutDetail()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Incident("a:1", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(20)));
        var service = app.Services.CreateScope().ServiceProvider.GetRequiredService<DailyReportService>();

        var shared = await service.PublishAsync(new LocalDate(2026, 11, 20), TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        var query = shared.PathAndQuery[(shared.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..];

        Assert.Equal($"https://reports.example.test/api/{shared.PathAndQuery}", shared.Url!.AbsoluteUri);
        Assert.StartsWith("reports/shared/daily/2026-11-20.pdf?", shared.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(64, shared.File.Sha256.Length);
        var ok = await SendAsync<SharedDailyReportEndpoint>(app, "2026-11-20", query: query);
        Assert.Equal(200, ok.Status);
        Assert.Equal(shared.File.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ok.Body)));

        var otherDay = await SendAsync<SharedDailyReportEndpoint>(app, "2026-11-19", query: query);
        var tampered = await SendAsync<SharedDailyReportEndpoint>(app, "2026-11-20", query: query.Replace("exp=1", "exp=2", StringComparison.Ordinal));
        var unsigned = await SendAsync<SharedDailyReportEndpoint>(app, "2026-11-20");
        var badDateSigned = await SendAsync<SharedDailyReportEndpoint>(app, "2026-13-40", query: query);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var expired = await SendAsync<SharedDailyReportEndpoint>(app, "2026-11-20", query: query);

        foreach (var refused in new[] { otherDay, tampered, unsigned, badDateSigned, expired })
        {
            Assert.Equal(403, refused.Status);
            Assert.Empty(refused.Body);
        }

        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 1402 && l.Message.Contains("Expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daily_StorageRefuses_Returns503ProblemJsonWithRetryAfterAndAWarning()
    {
        // A storage account that answers every call with 403 (the identity lost its data role); the SDK does not retry it.
        var requests = 0;
        var (storage, address) = await LoopbackServer.StartAsync(server => server.Run(async context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers["x-ms-error-code"] = "AuthorizationPermissionMismatch";
            await context.Response.WriteAsync("", context.RequestAborted);
        }));
        await using var _ = storage;
        var account = $"http://{address.Authority}/{AzuriteProcess.AccountName}";
        await using var app = await StartAsync(storage: $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
                                                        $"BlobEndpoint={account};QueueEndpoint={account};TableEndpoint={account};");

        var get = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");
        var head = await SendAsync<DailyReportEndpoint>(app, "2026-11-20", method: "HEAD");
        var shared = app.Services.GetRequiredService<ReportLinkSigner>().Sign(DailyReportEndpoint.PathFor("2026-11-20"), TimeSpan.FromHours(1)).Query;
        var viaLink = await SendAsync<SharedDailyReportEndpoint>(app, "2026-11-20", query: shared);

        foreach (var (status, headers, body) in new[] { get, viaLink })
        {
            Assert.Equal(503, status);
            Assert.StartsWith("application/problem+json", headers.ContentType.ToString(), StringComparison.Ordinal);
            Assert.Equal("30", headers.RetryAfter.ToString());
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("storage", problem.RootElement.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(503, head.Status);
        Assert.True(requests >= 1);
        var warning = app.Logs.GetSnapshot().First(r => r.Id.Id == 1404);
        Assert.Equal((LogLevel.Warning, null), (warning.Level, warning.Exception)); // every request in an outage: one line each
        Assert.Contains("storage is unavailable (answered 403", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daily_NoTenantConfiguredAndWallarmFailing_Returns503ProblemJsonThenServesOnceWallarmAnswers()
    {
        await using var app = await StartAsync(discoverTenant: true);
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Endpoint = "user", Times = 0 });

        var (status, headers, body) = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        Assert.Equal(503, status);
        Assert.StartsWith("application/problem+json", headers.ContentType.ToString(), StringComparison.Ordinal);
        Assert.Equal("30", headers.RetryAfter.ToString());
        using (var problem = JsonDocument.Parse(body))
        {
            Assert.Contains("Wallarm__ClientId", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var tenantUnknown = app.Logs.GetSnapshot().First(r => r.Id.Id == 1405);
        Assert.Equal((LogLevel.Warning, null), (tenantUnknown.Level, tenantUnknown.Exception));
        Assert.Contains("Wallarm did not answer (WallarmApiException: ", tenantUnknown.Message, StringComparison.Ordinal);

        // Wallarm answers again: the tenant is discovered and the report served.
        app.Simulator.Faults.Clear();
        var served = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");
        Assert.Equal(200, served.Status);
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(served.Body, 0, 4), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daily_NoTenantConfiguredAndWallarmDownWhenANewProcessStarts_ServesWithTheTenantKeptBefore()
    {
        await using var first = await StartAsync(discoverTenant: true);
        await SeedAsync(first, Incident("a:1", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(20)));
        Assert.Equal(200, (await SendAsync<DailyReportEndpoint>(first, "2026-11-20")).Status); // asks /v1/user once
        first.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Endpoint = "user", Times = 0 });

        // A cold start on the same storage and the same Wallarm, which now fails: nothing is in the new process's memory.
        await using var restarted = await AppHarness.StartAsync(azurite, o => o.ClientId = Tenant, new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = first.Simulator.BaseAddress.AbsoluteUri,
            ["Storage:TablePrefix"] = first.TablePrefix,
            ["Storage:ReportsContainer"] = first.Get<StorageClients>().Options.ReportsContainer,
        }, new ManualClock(Now));
        var (status, _, body) = await SendAsync<DailyReportEndpoint>(restarted, "2026-11-19"); // not cached: generated

        Assert.Equal(200, status);
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(body, 0, 4), StringComparison.Ordinal);
        Assert.Single(first.Simulator.Requests.For("/v1/user"));
        Assert.Contains(restarted.Logs.GetSnapshot(), r => r.Id.Id == 1107);
    }

    [Fact]
    public async Task Report_MultiDayIncident_AppearsOnEachDay()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, Incident("long:1", new DateTimeOffset(2026, 11, 19, 22, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(5)));

        var nov19 = await SendAsync<DailyReportEndpoint>(app, "2026-11-19");
        var nov20 = await SendAsync<DailyReportEndpoint>(app, "2026-11-20");

        Assert.Contains("long:1", string.Concat(PdfText.Pages(nov19.Body)), StringComparison.Ordinal);
        Assert.Contains("long:1", string.Concat(PdfText.Pages(nov20.Body)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-10-25", 25, "00:00 +02")] // leaves summer time: 25 hours, from 22:00 UTC the day before
    [InlineData("America/Havana", "2026-03-08", 23, "01:00 -04")] // springs forward at midnight itself: no 00:00, 23 hours
    public async Task Report_DstDay_HasLocalDayBoundariesAndItsHours(string zone, string isoDay, int hours, string firstHour)
    {
        Assert.True(ReportCalendar.TryParseIsoDay(isoDay, out var day));
        var calendar = new ReportCalendar(zone);
        var window = calendar.WindowOf(day);
        await using var app = await StartAsync(zone, window.To.AddDays(1).AddHours(9));
        await SeedAsync(app,
            Incident("before:1", window.From.AddMinutes(-10), TimeSpan.FromMinutes(5)),
            Incident("first:1", window.From.AddMinutes(10), TimeSpan.FromMinutes(5)),
            Incident("last:1", window.To.AddMinutes(-10), TimeSpan.FromMinutes(5)),
            Incident("after:1", window.To.AddMinutes(10), TimeSpan.FromMinutes(5)));

        var report = await app.Get<DailyReportBuilder>().BuildAsync(Tenant, day, TestContext.Current.CancellationToken);
        var (status, _, body) = await SendAsync<DailyReportEndpoint>(app, isoDay);
        var text = string.Concat(PdfText.Pages(body));

        Assert.Equal(200, status);
        Assert.Equal(TimeSpan.FromHours(hours), report.Window.Duration);
        Assert.Equal(hours, report.Hours.Count);
        Assert.Equal(firstHour, report.Hours[0].Label);
        Assert.Equal(["first:1", "last:1"], report.Incidents.Select(i => i.Id).Order());
        Assert.Contains("first:1", text, StringComparison.Ordinal);
        Assert.Contains("last:1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("before:1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("after:1", text, StringComparison.Ordinal);
        Assert.Contains(firstHour[..2] + ":10", text, StringComparison.Ordinal); // the first hit in local time
        Assert.Contains("23:50", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WarmUp_WithStorageAndQuietDaysSince_BuildsTheMostRecentDayWithRowsAndStoresNoReport()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var app = await StartAsync();
        await app.PullAsync(cancellationToken);
        var service = app.Get<DailyReportService>();
        var recent = service.Today();
        while (!await app.Get<IncidentStore>().GetDayAsync(Tenant, recent, cancellationToken).AnyAsync(cancellationToken)) recent = recent.PlusDays(-1);
        // Three quiet days later, yesterday's (empty) report asked for: the days it reads get change marks, no rows.
        app.Clock.Advance(TimeSpan.FromDays(3));
        var (quiet, _, _) = await SendAsync<DailyReportEndpoint>(app, ReportCalendar.IsoDay(service.LatestDay()));
        Assert.Equal(200, quiet);
        var logs = new FakeLogCollector();
        // The harness turns the warm-up off for its own host; this one is on, in what is a new instance (nothing asked yet).
        using var demand = new ReportDemand();
        using var warmup = new ReportWarmup(Microsoft.Extensions.Options.Options.Create(new ReportOptions()), demand, new FakeLogger<ReportWarmup>(logs), app.Get<IServiceScopeFactory>());

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);

        Assert.Equal([1419, 1410], logs.GetSnapshot().Select(r => r.Id.Id));
        var read = logs.GetSnapshot()[0];
        Assert.Equal(ReportCalendar.IsoDay(recent), read.GetStructuredStateValue("Day"));
        Assert.NotEqual("0", read.GetStructuredStateValue("Incidents"));
        Assert.Null(await app.Get<ReportCache>().GetAsync(Tenant, recent, cancellationToken));
    }

    [Fact]
    public async Task WarmUp_ReportAlreadyAsked_StopsReadingStorage()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var app = await StartAsync();
        await app.PullAsync(cancellationToken);
        var logs = new FakeLogCollector();
        using var demand = new ReportDemand();
        demand.Requested();
        using var warmup = new ReportWarmup(Microsoft.Extensions.Options.Options.Create(new ReportOptions()), demand, new FakeLogger<ReportWarmup>(logs), app.Get<IServiceScopeFactory>());

        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);

        Assert.Equal([1410, 1420], logs.GetSnapshot().Select(r => r.Id.Id).Order());
        Assert.Equal("1", logs.GetSnapshot().Single(r => r.Id.Id == 1410).GetStructuredStateValue("Renders"));
    }

    [Fact]
    public async Task BuildAsync_MaxRows_FoldsAtMostThatManyRowsOfEachDay()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var app = await StartAsync(now: new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        await app.PullAsync(cancellationToken);
        var builder = app.Get<DailyReportBuilder>();
        var day = new LocalDate(2026, 11, 19);

        var whole = await builder.BuildAsync(Tenant, day, cancellationToken);
        var sample = await builder.BuildAsync(Tenant, day, 3, cancellationToken);

        Assert.InRange(whole.Incidents.Count, 4, int.MaxValue);
        Assert.InRange(whole.PreviousFigures.Incidents, 4, int.MaxValue);
        Assert.Equal(3, sample.Incidents.Count);
        Assert.InRange(sample.PreviousFigures.Incidents, 1, 3);
    }

    [Fact]
    public async Task BuildAsync_PreviousDayReadWithItsColumnsOnly_HasTheFiguresOfItsWholeRows()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var app = await StartAsync(now: new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), hostileShare: 0.5);
        await app.PullAsync(cancellationToken);
        var previousDay = new LocalDate(2026, 11, 18);
        var whole = new List<IncidentEntity>();
        await foreach (var r in app.Get<IncidentStore>().GetDayAsync(Tenant, previousDay, cancellationToken)) whole.Add(r);
        var counted = whole.Where(r => !DailyReportBuilder.IsFalsePositive(r)).ToList();
        var vulnerabilities = await app.Get<VulnerabilityCatalog>().GetAllAsync(Tenant, cancellationToken);
        var sources = await app.Get<IncidentFunctions.Enrichment.SourceProfileStore>().GetDayAsync(Tenant, previousDay, cancellationToken);

        var report = await app.Get<DailyReportBuilder>().BuildAsync(Tenant, new LocalDate(2026, 11, 19), cancellationToken);

        Assert.NotEmpty(counted);
        Assert.Equal(DailyReportBuilder.Figures(counted, sources, vulnerabilities), report.PreviousFigures);
    }

    [Fact]
    public async Task BuildAsync_DaysFoldedAsRead_GiveTheModelOfTheirStoredRows()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var app = await StartAsync(now: new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), hostileShare: 0.5);
        await app.PullAsync(cancellationToken);
        var (day, now) = (new LocalDate(2026, 11, 19), app.Get<TimeProvider>().GetUtcNow());
        var sources = app.Get<IncidentFunctions.Enrichment.SourceProfileStore>();
        var coverage = app.Get<CoverageLog>();
        var inputs = new DailyReportInputs(
            Tenant,
            day,
            await ReadDayAsync(app, day, cancellationToken),
            await ReadDayAsync(app, day.PlusDays(-1), cancellationToken),
            await coverage.GetDayAsync(Tenant, day, now, cancellationToken),
            await app.Get<VulnerabilityCatalog>().GetAllAsync(Tenant, cancellationToken),
            await sources.GetDayAsync(Tenant, day, cancellationToken),
            await sources.GetDayAsync(Tenant, day.PlusDays(-1), cancellationToken),
            now,
            await coverage.GetDayAsync(Tenant, day.PlusDays(-1), now, cancellationToken));
        var expected = DailyReportBuilder.Build(inputs, app.Get<ReportCalendar>(), app.Get<IOptions<ReportOptions>>().Value, app.Get<IOptions<WallarmOptions>>().Value.ResolveConsoleAddress());

        var report = await app.Get<DailyReportBuilder>().BuildAsync(Tenant, day, cancellationToken);

        Assert.NotEmpty(inputs.Rows);
        Assert.NotEmpty(inputs.PreviousRows);
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(report));
    }

    private static async Task<List<IncidentEntity>> ReadDayAsync(AppHarness app, LocalDate day, CancellationToken cancellationToken)
    {
        var rows = new List<IncidentEntity>();
        await foreach (var r in app.Get<IncidentStore>().GetDayAsync(Tenant, day, cancellationToken)) rows.Add(r);
        return rows;
    }

    [Fact]
    public async Task Report_FromTheSimulatorsPull_RendersWithoutEnrichment()
    {
        await using var app = await StartAsync(now: new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), hostileShare: 0.5);
        await app.PullAsync(TestContext.Current.CancellationToken);
        var rows = new List<IncidentEntity>();
        await foreach (var r in app.Get<IncidentStore>().GetDayAsync(Tenant, new LocalDate(2026, 11, 19), TestContext.Current.CancellationToken)) rows.Add(r);

        var (status, _, body) = await SendAsync<DailyReportEndpoint>(app, "2026-11-19");
        var text = string.Concat(PdfText.Pages(body));

        Assert.Equal(200, status);
        Assert.NotEmpty(rows);
        // The compact table shows each attack id's distinctive part (after the index name).
        Assert.All(rows.Where(r => r.State != "falsepositive"), r => Assert.Contains(IncidentsSection.ShortId(r.IncidentId), text, StringComparison.Ordinal));
        Assert.Contains("has not run for this day yet", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text, c => c is '\u202E' or '\u202D' or '\u2066' or '\u2067' or '\u2068' or '\u0000');
    }
}
