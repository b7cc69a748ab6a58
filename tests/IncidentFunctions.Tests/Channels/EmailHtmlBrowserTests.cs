using System.Collections.Concurrent;
using IncidentFunctions.Channels;
using IncidentFunctions.Tests.Digest;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Channels;

/// <summary>
/// A digest email as a reader sees it: sent over SMTP to maildev, its HTML part read back from maildev and rendered by
/// headless Chromium, which must fetch nothing (no images, fonts or scripts) and run nothing. Screenshots go to
/// <c>artifacts/browser/</c>.
/// </summary>
[Collection(BrowserTests.Name)]
[Trait("Category", TestCategories.Integration)]
public sealed class EmailHtmlBrowserTests(BrowserFixture browser, MailDevFixture maildev) : IClassFixture<MailDevFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("desktop", 900, false)]
    [InlineData("phone", 390, false)]
    [InlineData("weekly-phone", 390, true)]
    public async Task EmailHtml_FromMailDev_RendersFetchingNothingAndKeepsAttackerTextInert(string name, int width, bool weekly)
    {
        var deliveryId = $"browser-{name}-{Guid.NewGuid():N}";
        var message = (weekly ? DigestSamples.Weekly(hostile: true) : DigestSamples.Digest()) with
        {
            TopIncidents = [.. DigestSamples.Digest().TopIncidents.Take(3), DigestSamples.HostileIncident(4)],
            Archive = new ArchiveLink(new Uri("https://func-incidents.example.net/api/reports/shared/archive?exp=1795737600&kid=k1&sig=EXAMPLE-not-a-signature"), new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero)),
        };
        var channel = new ChannelOptions
        {
            Name = "mail",
            Kind = ChannelKind.Email,
            Email = new EmailOptions { Host = "127.0.0.1", Port = maildev.SmtpPort, Security = SmtpSecurity.None, From = "digest@incidents.example.com", To = "soc@example.com" },
        };
        var client = new EmailClient(Options.Create(new DeliveryOptions { Channels = [channel] }), TimeProvider.System, NullLogger<EmailClient>.Instance);
        var outcome = await client.SendAsync(channel, EmailRenderer.Render(message, channel.Email, deliveryId, DateTimeOffset.UtcNow, null), Ct);
        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        var id = (await maildev.WaitForAsync(EmailRenderer.MessageId(deliveryId, "incidents.example.com"), Ct)).GetProperty("id").GetString()!;

        // The HTML part as received (maildev's own /html view drops <head>, and with it the charset and viewport).
        var received = await maildev.SourceAsync(id, Ct);
        Assert.NotNull(received.HtmlBody);

        var (context, page) = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 800 } });
        await using var _ = context;
        var problems = await PageProblems.AttachAsync(context);
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, r) => requests.Enqueue(r.Url);
        await page.SetContentAsync(received.HtmlBody, new() { WaitUntil = WaitUntilState.Load });
        await PageProblems.SettleAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, $"email-{name}.png"), FullPage = true });

        Assert.Empty(requests);
        Assert.Equal(weekly ? "Weekly incident digest" : "Daily incident digest", await page.TitleAsync());
        Assert.Contains(weekly ? "Week 2026-W47 (16–22 Nov 2026) · Europe/Berlin" : "Thursday, 19 November 2026 · Europe/Berlin", await page.Locator("h1 + p").TextContentAsync(), StringComparison.Ordinal);
        problems.AssertNone();
        // Attacker text is text: no element, no link made of it, and the page cannot be wider than the screen.
        Assert.Equal(0, await page.Locator("script, img, iframe, object, embed, form").CountAsync());
        var links = await page.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.href)");
        Assert.All(links, l => Assert.True(l.StartsWith("https://func-incidents.example.net/", StringComparison.Ordinal) || l.StartsWith("https://my.wallarm.com/", StringComparison.Ordinal), l));
        var wider = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5)).map(e => `${e.tagName} ${Math.round(e.getBoundingClientRect().width)}px: ${e.textContent.slice(0, 60)}`)");
        Assert.True(wider.Length == 0, "The email scrolls sideways; these reach beyond the screen:\n" + string.Join("\n", wider));
        Assert.Contains("Top incidents", await page.Locator("h2").AllTextContentsAsync());
        if (weekly) Assert.Contains("Trends", await page.Locator("h2").AllTextContentsAsync());
    }
}
