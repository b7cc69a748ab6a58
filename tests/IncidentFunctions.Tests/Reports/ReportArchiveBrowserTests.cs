using IncidentFunctions.Hosting;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Http;
using IncidentFunctions.Reports;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.LocalRunner;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The archive page in headless Chromium, served by the local runner (real Kestrel on 127.0.0.1, the real routes) on
/// incidents the simulator produced (with its share of hostile text) and pulled into Azurite. Screenshots go to
/// <c>artifacts/browser/</c>.
/// </summary>
[Collection(BrowserTests.Name)]
[Trait("Category", TestCategories.Integration)]
public sealed class ReportArchiveBrowserTests(AzuriteFixture azurite, BrowserFixture browser) : IAsyncDisposable
{
    private const string FunctionKey = "FAKE-archive-browser-test-key-0000";
    private static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(11, 32).Select(i => (byte)i).ToArray());
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<IDisposable> _files = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ArchivePage_WithTheFunctionKey_HasTheStrictCspAppliesItsStyleAndLogsNothing()
    {
        var site = await StartAsync();
        var (context, page) = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, ExtraHTTPHeaders = new Dictionary<string, string> { [FunctionKeys.HeaderName] = FunctionKey } });
        await using var _ = context;
        var problems = await PageProblems.AttachAsync(context);

        var response = await page.GotoAsync(site.Url + "api/reports", new() { WaitUntil = WaitUntilState.Load });
        await PageProblems.SettleAsync(page);

        Assert.Equal(200, response!.Status);
        Assert.Equal(ReportArchivePage.ContentSecurityPolicy, response.Headers["content-security-policy"]);
        Assert.Equal("nosniff", response.Headers["x-content-type-options"]);
        Assert.Equal("no-referrer", response.Headers["referrer-policy"]);
        // The stylesheet the CSP allows by hash did apply (a wrong hash leaves the header unstyled and logs an error).
        Assert.Equal("rgb(18, 54, 92)", await page.Locator("header").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        problems.AssertNone();
        Assert.Equal("Incident reports", await page.Locator("h1").TextContentAsync());
        Assert.Equal("TLP:AMBER", await page.Locator("header .marking").TextContentAsync()); // the reports' marking, above the heading
        // One table per period kind (the month, its weeks, its days), each with its caption.
        var tables = await page.Locator("table").CountAsync();
        Assert.True(tables >= 1, "No table.");
        Assert.Equal(tables, await page.Locator("table caption").CountAsync());
        Assert.True(await page.Locator("tbody th[scope=row]").CountAsync() >= 2);
        // Accessible names say what a link opens; none is a bare "PDF" or "CSV".
        var linkNames = await page.Locator("tbody a").EvaluateAllAsync<string[]>("links => links.map(a => a.textContent)");
        Assert.All(linkNames, n => Assert.True(n.StartsWith("PDF report of ", StringComparison.Ordinal) || n.StartsWith("CSV export of ", StringComparison.Ordinal), n));
        Assert.Equal(linkNames.Count(n => n.StartsWith("PDF", StringComparison.Ordinal)), linkNames.Count(n => n.StartsWith("CSV", StringComparison.Ordinal)));

        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "archive-desktop.png"), FullPage = true });
    }

    [Fact]
    public async Task ArchivePage_OnAPhone_FitsTheScreenWithoutSidewaysScrolling()
    {
        var site = await StartAsync();
        var (context, page) = await browser.NewPageAsync(browser.Playwright.Devices["Pixel 7"]);
        await using var _ = context;
        var problems = await PageProblems.AttachAsync(context);

        // Opened as a digest recipient would: through the signed archive link, no key.
        var response = await page.GotoAsync(site.Url + "api/" + site.SignedArchive());
        await PageProblems.SettleAsync(page);

        // The first screen, as the phone shows it.
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "archive-phone.png") });

        Assert.Equal(200, response!.Status);
        problems.AssertNone();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways on a phone.");
        Assert.Equal("block", await page.Locator("tbody tr").First.EvaluateAsync<string>("e => getComputedStyle(e).display"));
    }

    [Fact]
    public async Task ArchivePage_PdfLink_OpensThePdfWithoutTheKey()
    {
        var site = await StartAsync();
        var (context, page) = await browser.NewPageAsync();
        await using var _ = context;
        // Chromium shows an inline PDF in its viewer, whose navigation body is the viewer's page: take the bytes the
        // click fetched from the route instead.
        var captured = new TaskCompletionSource<(int Status, string? Type, byte[] Body)>();
        await page.RouteAsync("**/*.pdf?*", async route =>
        {
            var fetched = await route.FetchAsync();
            captured.TrySetResult((fetched.Status, fetched.Headers.GetValueOrDefault("content-type"), await fetched.BodyAsync()));
            await route.FulfillAsync(new() { Response = fetched });
        });
        await page.GotoAsync(site.Url + "api/" + site.SignedArchive());
        var link = page.Locator("tbody a[href*='/shared/daily/'][href*='.pdf?']").Nth(1);
        var href = await link.GetAttributeAsync("href");

        var response = await page.RunAndWaitForResponseAsync(() => link.ClickAsync(), r => r.Url.Contains(".pdf?", StringComparison.Ordinal));
        var (status, type, body) = await captured.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.StartsWith("/api/reports/shared/daily/", href, StringComparison.Ordinal);
        Assert.Equal(200, response.Status);
        Assert.Equal(200, status);
        Assert.Equal("application/pdf", type);
        Assert.True(body.AsSpan().StartsWith("%PDF-"u8), "The link did not return a PDF.");
    }

    [Fact]
    public async Task ArchivePage_LinkFollowedAfterItExpired_Is403()
    {
        var site = await StartAsync();
        var (context, page) = await browser.NewPageAsync();
        await using var _ = context;
        await page.GotoAsync(site.Url + "api/" + site.SignedArchive());
        var link = page.Locator("tbody a").First;
        var october = await page.Locator("nav a", new() { HasText = "October 2026" }).GetAttributeAsync("href");

        site.Clock.Advance(ReportArchive.LinkLifetime + TimeSpan.FromSeconds(1));
        // A navigation to an empty 403 makes GotoAsync throw; the response of the click is what the browser got.
        var pdf = await page.RunAndWaitForResponseAsync(() => link.ClickAsync(), r => r.Url.Contains(".pdf?", StringComparison.Ordinal));
        var olderMonth = await page.APIRequest.GetAsync(site.Url + october!.TrimStart('/'));

        Assert.Equal(403, pdf.Status);
        Assert.Equal(403, olderMonth.Status);
    }

    private async Task<Site> StartAsync()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));
        var container = "r" + Guid.NewGuid().ToString("N")[..20];
        var settings = new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = "77",
            ["Reports:SigningKeys:k1"] = SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:Marking"] = "TLP:AMBER",
            ["Storage:ReportsContainer"] = container,
            ["Ingestion:InitialLookback"] = "3.00:00:00",
        };
        var data = await AppHarness.StartAsync(azurite, o => { o.ClientId = 77; o.HostileTextShare = 0.2; o.IncidentsPerDay = 60; }, settings, clock);
        _disposables.Add(data);
        await data.PullAsync(Ct);

        var hostJson = new TestHostJson("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "api" } } }""");
        _files.Add(hostJson);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Wallarm:Cloud"] = data.Simulator.BaseAddress.AbsoluteUri,
            ["Wallarm:ApiToken"] = data.Simulator.Options.ApiToken,
            ["Storage:ConnectionString"] = data.ConnectionString,
            ["Storage:TablePrefix"] = data.TablePrefix,
            ["Reports:TimeZone"] = "UTC",
            ["Enrichment:UseDefaultSources"] = "false",
            ["LocalRunner:Urls"] = "http://127.0.0.1:0",
            ["LocalRunner:HostJsonPath"] = hostJson.Path,
            ["LocalRunner:EnableTimers"] = "false",
            ["LocalRunner:EnableQueues"] = "false",
            ["LocalRunner:FunctionKeys:0"] = FunctionKey,
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        var app = builder.Build();
        app.MapLocalRunnerRoutes();
        await app.StartAsync(Ct);
        _disposables.Add(app);
        return new Site(app.Urls.Single().TrimEnd('/') + "/", clock, app.Services);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables.AsEnumerable().Reverse()) await d.DisposeAsync();
        foreach (var f in _files) f.Dispose();
    }

    private sealed record Site(string Url, ManualClock Clock, IServiceProvider Services)
    {
        /// <summary>A signed archive link relative to the API base, as the digest carries it.</summary>
        public string SignedArchive()
        {
            using var scope = Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<ReportArchive>().SharedLink(TimeSpan.FromMinutes(30)).PathAndQuery;
        }
    }
}
