using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// <c>GET /api/reports</c> and its signed twin against real Azurite and the real composition root: one month per page,
/// newest first, figures per day, only short-lived signed links, security headers, attacker text encoded.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed partial class ReportArchiveTests(AzuriteFixture azurite)
{
    private const long Tenant = 77;
    private const string HostileTitle = "<script>alert(1)</script> SQLi in \"/login\" https://evil.example/x \u202Egnp.exe";
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Archive_CurrentMonth_ListsEveryDayNewestFirstWithFiguresCoverageAndSignedPdfLinks()
    {
        await using var app = await StartAsync();
        await SeedAsync(app);

        var (status, headers, html) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports");

        Assert.Equal(200, status);
        Assert.Equal("text/html; charset=utf-8", headers.ContentType.ToString());
        // 21 November back to 1 November: one row each, newest first.
        var days = RowDay().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(Enumerable.Range(0, 21).Select(i => $"2026-11-{21 - i:00}"), days);
        var row19 = Row(html, "2026-11-19");
        Assert.Contains(">2</td>", row19, StringComparison.Ordinal);
        Assert.Contains(">52</td>", row19, StringComparison.Ordinal);
        Assert.Contains("Blocked 1, Monitoring 1", row19, StringComparison.Ordinal);
        Assert.Contains("Complete", row19, StringComparison.Ordinal);
        Assert.Contains("Data gaps", Row(html, "2026-11-18"), StringComparison.Ordinal);
        Assert.Contains("Not pulled", Row(html, "2026-11-10"), StringComparison.Ordinal);
        Assert.Contains("Day in progress", Row(html, "2026-11-21"), StringComparison.Ordinal);

        // Every link is a signed link that verifies and expires within the hour; the key appears nowhere.
        var links = Hrefs(html);
        var pdf = Assert.Single(links, l => l.StartsWith("/api/reports/shared/daily/2026-11-19.pdf?", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Valid, Verify(app, DailyReportEndpoint.PathFor("2026-11-19"), pdf));
        var csv = Assert.Single(links, l => l.StartsWith("/api/reports/shared/daily/2026-11-19.csv?", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Valid, Verify(app, ReportCsvEndpoint.PathFor("daily", "2026-11-19"), csv));
        Assert.All(links, l => Assert.StartsWith("/api/reports/shared/", l, StringComparison.Ordinal));
        Assert.All(links, l => Assert.True(Expiry(l) <= Now.AddHours(1), l));
        Assert.DoesNotContain("code=", html, StringComparison.Ordinal);
        Assert.Contains("PDF<span class=\"vh\"> report of Thursday, 19 November 2026</span>", html, StringComparison.Ordinal);
        Assert.Contains("CSV<span class=\"vh\"> export of Thursday, 19 November 2026</span>", html, StringComparison.Ordinal);

        // Attacker text: encoded, defanged as in the PDF and the digests, never markup.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", row19, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", html, StringComparison.Ordinal);
        Assert.Contains("evil[.]example", row19, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_ReportsMarked_PageTitleAndHeaderShowTheMarkingEncoded()
    {
        await using var app = await StartAsync(marking: "TLP:AMBER <b>&</b>");

        var (status, _, html) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports");

        Assert.Equal(200, status);
        Assert.Contains("<title>[TLP:AMBER &lt;b&gt;&amp;&lt;/b&gt;] Incident reports", html, StringComparison.Ordinal);
        Assert.Contains("<header><div><p class=\"marking\">TLP:AMBER &lt;b&gt;&amp;&lt;/b&gt;</p><h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_Response_HasAStrictCspWhoseHashMatchesTheOnlyStyleAndNoScripts()
    {
        await using var app = await StartAsync();

        var (_, headers, html) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports");

        var csp = headers.ContentSecurityPolicy.ToString();
        Assert.StartsWith("default-src 'none'; ", csp, StringComparison.Ordinal);
        var style = Assert.Single(StyleElement().Matches(html)).Groups[1].Value;
        Assert.Contains($"style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
        Assert.Equal("no-referrer", headers["Referrer-Policy"].ToString());
        Assert.Equal("no-store", headers.CacheControl.ToString());
    }

    [Fact]
    public async Task Archive_NinetyDaysRetention_IsFourMonthPagesLinkedBySignedLinks()
    {
        await using var app = await StartAsync();

        var (_, _, html) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports");
        var months = MonthLink().Matches(html).Select(m => HttpUtility.HtmlDecode(m.Groups[1].Value)).Distinct().ToList();
        var august = Assert.Single(months, m => m.Contains("month=2026-08", StringComparison.Ordinal));
        var (status, _, older) = await SendAsync<SharedReportArchiveEndpoint>(app, august);

        Assert.Equal(["2026-11", "2026-10", "2026-09", "2026-08"], months.Select(m => MonthOf().Match(m).Groups[1].Value));
        Assert.Equal(200, status);
        // Retention: today and the 90 days before it, so 23 August is the oldest day.
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"2026-08-{31 - i:00}"), RowDay().Matches(older).Select(m => m.Groups[1].Value));
        Assert.Contains("Older", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Older:", older, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedArchive_ExpiredTamperedOrOtherMonth_Is403WithoutBody()
    {
        await using var app = await StartAsync();
        var (_, _, html) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports");
        var october = MonthLink().Matches(html).Select(m => HttpUtility.HtmlDecode(m.Groups[1].Value)).First(m => m.Contains("month=2026-10", StringComparison.Ordinal));

        var otherMonth = await SendAsync<SharedReportArchiveEndpoint>(app, october.Replace("month=2026-10", "month=2026-09", StringComparison.Ordinal));
        var unsigned = await SendAsync<SharedReportArchiveEndpoint>(app, "/api/reports/shared/archive?month=2026-10");
        var fresh = await SendAsync<SharedReportArchiveEndpoint>(app, october);
        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var expired = await SendAsync<SharedReportArchiveEndpoint>(app, october);

        Assert.Equal(200, fresh.Status);
        foreach (var refused in new[] { otherMonth, unsigned, expired })
        {
            Assert.Equal(403, refused.Status);
            Assert.Empty(refused.Body);
        }
    }

    [Theory]
    [InlineData("2026-13", 400)]
    [InlineData("26-11", 400)]
    [InlineData("2026-07", 404)]
    [InlineData("2026-12", 404)]
    public async Task Archive_MonthOutsideRetentionOrMalformed_IsRefused(string month, int expected)
    {
        await using var app = await StartAsync();

        var (status, _, _) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports?month=" + month);

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task Archive_Month_ListsTheMonthAndItsWeeksCountingAnIncidentAcrossMidnightOnceWithSignedPdfAndCsvLinks()
    {
        await using var app = await StartAsync();
        await SeedAsync(app);
        var acrossMidnight = new Incident
        {
            TenantId = Tenant,
            Id = "m:1",
            FirstSeen = new(2026, 11, 17, 23, 50, 0, TimeSpan.Zero),
            LastSeen = new(2026, 11, 18, 0, 30, 0, TimeSpan.Zero),
            AttackType = "xss",
            Domain = "shop.example.com",
            Path = "/search",
            Hits = 100,
            IpCount = 1,
            TopIps = [new IncidentSourceIp("198.51.100.7", 100, "DE")],
            VulnerabilityId = 11,
            Status = IncidentStatus.Blocked,
        };
        await app.Get<IncidentStore>().UpsertAsync([acrossMidnight], app.Clock.GetUtcNow(), Ct);

        var (status, _, html) = await SendAsync<ReportArchiveEndpoint>(app, "/api/reports");

        Assert.Equal(200, status);
        // Stored on both days it was active on, counted once in the week and the month: 3 incidents, 12 + 40 + 100 hits.
        Assert.Contains(">1</td>", Row(html, "2026-11-17"), StringComparison.Ordinal);
        Assert.Contains(">1</td>", Row(html, "2026-11-18"), StringComparison.Ordinal);
        foreach (var period in new[] { "2026-W47", "2026-11" })
        {
            var row = Row(html, period);
            Assert.Contains(">3</td>", row, StringComparison.Ordinal);
            Assert.Contains(">152</td>", row, StringComparison.Ordinal);
            Assert.Contains("Data gaps", row, StringComparison.Ordinal); // 16 and 17 November were never pulled
        }

        // The weeks starting in November up to today, newest first; the week after today is not listed.
        Assert.Equal(["2026-W47", "2026-W46", "2026-W45"], WeekRow().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Contains("PDF<span class=\"vh\"> report of week 2026-W47 (16–22 Nov 2026)</span>", html, StringComparison.Ordinal);
        Assert.Contains("CSV<span class=\"vh\"> export of November 2026</span>", html, StringComparison.Ordinal);

        var links = Hrefs(html);
        var weekPdf = Assert.Single(links, l => l.StartsWith("/api/reports/shared/weekly/2026-W47.pdf?", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Valid, Verify(app, PeriodReportEndpoint.PathFor("weekly", "2026-W47"), weekPdf));
        var monthCsv = Assert.Single(links, l => l.StartsWith("/api/reports/shared/monthly/2026-11.csv?", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Valid, Verify(app, ReportCsvEndpoint.PathFor("monthly", "2026-11"), monthCsv));
    }

    private Task<AppHarness> StartAsync(string marking = "")
        => AppHarness.StartAsync(azurite, o => o.ClientId = Tenant, settings: new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = Tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:SigningKeys:k1"] = Key,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:Marking"] = marking,
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
        }, clock: new ManualClock(Now));

    private static async Task SeedAsync(AppHarness app)
    {
        Incident Make(string id, DateTimeOffset first, long hits, IncidentStatus status, long vuln) => new()
        {
            TenantId = Tenant,
            Id = id,
            FirstSeen = first,
            LastSeen = first + TimeSpan.FromMinutes(20),
            AttackType = "sqli",
            Domain = "shop.example.com",
            Path = "/api/orders",
            Hits = hits,
            IpCount = 1,
            TopIps = [new IncidentSourceIp("203.0.113.9", hits, "NL")],
            VulnerabilityId = vuln,
            Status = status,
        };

        await app.Get<IncidentStore>().UpsertAsync(
            [Make("a:1", new(2026, 11, 19, 9, 0, 0, TimeSpan.Zero), 12, IncidentStatus.Blocked, 11), Make("a:2", new(2026, 11, 19, 13, 0, 0, TimeSpan.Zero), 40, IncidentStatus.Monitoring, 12)],
            app.Clock.GetUtcNow(), Ct);
        var coverage = app.Get<CoverageLog>();
        await coverage.RecordAsync(Tenant, new TimeWindow(new(2026, 11, 18, 12, 0, 0, TimeSpan.Zero), Now), "seed", 2, 0, Now, Ct);
        var table = await app.Get<StorageClients>().GetTableAsync(app.Get<StorageClients>().Options.VulnerabilitiesTable, Ct);
        await table.UpsertEntityAsync(new VulnerabilityEntity
        {
            PartitionKey = Tenant.ToString(CultureInfo.InvariantCulture),
            RowKey = VulnerabilityEntity.RowKeyFor(12),
            VulnerabilityId = 12,
            Found = true,
            Title = HostileTitle,
            FetchedAt = Now,
        }, cancellationToken: Ct);
    }

    /// <summary>One request for <paramref name="pathAndQuery"/> through the route (<see cref="AppHarness.SendAsync"/>); the body as UTF-8.</summary>
    private static async Task<(int Status, IHeaderDictionary Headers, string Body)> SendAsync<TRoute>(AppHarness app, string pathAndQuery)
        where TRoute : class, IHttpRoute
    {
        var (status, headers, body) = await app.SendAsync<TRoute>(request =>
        {
            var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
            request.Path = q < 0 ? pathAndQuery : pathAndQuery[..q];
            if (q >= 0) request.QueryString = new QueryString(pathAndQuery[q..]);
        });
        return (status, headers, Encoding.UTF8.GetString(body));
    }

    private static string Row(string html, string day)
    {
        var start = html.IndexOf($"<time datetime=\"{day}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No row for {day}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static List<string> Hrefs(string html) => [.. Href().Matches(html).Select(m => HttpUtility.HtmlDecode(m.Groups[1].Value))];

    private static SignatureCheck Verify(AppHarness app, string resource, string link)
    {
        var query = HttpUtility.ParseQueryString(link[(link.IndexOf('?', StringComparison.Ordinal) + 1)..]);
        return app.Get<ReportLinkSigner>().Verify(resource, query["exp"], query["kid"], query["sig"]);
    }

    private static DateTimeOffset Expiry(string link)
        => DateTimeOffset.FromUnixTimeSeconds(long.Parse(HttpUtility.ParseQueryString(link[(link.IndexOf('?', StringComparison.Ordinal) + 1)..])["exp"]!, CultureInfo.InvariantCulture));

    [GeneratedRegex("<th scope=\"row\"><time datetime=\"(\\d{4}-\\d{2}-\\d{2})\">")]
    private static partial Regex RowDay();

    [GeneratedRegex("<th scope=\"row\"><time datetime=\"(\\d{4}-W\\d{2})\">")]
    private static partial Regex WeekRow();

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    [GeneratedRegex("href=\"(/api/reports/shared/archive\\?[^\"]+)\"")]
    private static partial Regex MonthLink();

    [GeneratedRegex("month=(\\d{4}-\\d{2})")]
    private static partial Regex MonthOf();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
