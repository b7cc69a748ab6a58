using IncidentFunctions.Channels;
using IncidentFunctions.Tests.Digest;
using MimeKit;

namespace IncidentFunctions.Tests.Channels;

[Trait("Category", TestCategories.Unit)]
public sealed class EmailRendererTests
{
    private static readonly EmailOptions Email = new() { From = "digest@incidents.example.com", FromName = "Digest\r\nBcc: name@evil.example", To = "soc@example.com", Host = "127.0.0.1" };

    [Fact]
    public void Render_LineBreaksInTitleAndSenderName_NeverReachAHeaderLine()
    {
        var message = DigestSamples.Digest() with { Title = "Daily digest\r\nBcc: victim@evil.example\nX-Injected: 1" };

        var payload = EmailRenderer.Render(message, Email, "d-1", DateTimeOffset.UnixEpoch, null);
        using var written = new MemoryStream();
        payload.Message.WriteTo(written, TestContext.Current.CancellationToken);
        written.Position = 0;
        var parsed = MimeMessage.Load(written, TestContext.Current.CancellationToken);

        Assert.DoesNotContain('\r', payload.Message.Subject!);
        Assert.DoesNotContain('\n', payload.Message.Subject!);
        Assert.StartsWith("Daily digest  Bcc: victim@evil.example X-Injected: 1 2026-11-19: 42 incidents", parsed.Subject, StringComparison.Ordinal);
        Assert.Empty(parsed.Bcc);
        Assert.False(parsed.Headers.Contains("X-Injected"));
        Assert.Equal(["soc@example.com"], parsed.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("digest@incidents.example.com", parsed.From.Mailboxes.Single().Address);
    }

    [Fact]
    public void Render_SameDeliveryId_SameMessageIdAtTheSendersDomain()
    {
        var first = EmailRenderer.Render(DigestSamples.Digest(), Email, "2026-11-19.mail.0.abc", DateTimeOffset.UnixEpoch, null);
        var retry = EmailRenderer.Render(DigestSamples.Digest(), Email, "2026-11-19.mail.0.abc", DateTimeOffset.UnixEpoch.AddMinutes(5), null);

        Assert.Equal(first.Message.MessageId, retry.Message.MessageId);
        Assert.Equal("2026-11-19-mail-0-abc@incidents.example.com", first.Message.MessageId);
    }

    [Theory]
    [InlineData(-1, "(too large)")]
    [InlineData(1, "(the report was updated after this digest was composed)")]
    public void Render_PdfNotAttached_SaysWhy(long limitAboveReport, string reason)
    {
        var message = DigestSamples.Digest();
        var email = new EmailOptions { From = Email.From, To = Email.To, Host = Email.Host, MaxAttachmentBytes = message.Report.Bytes + limitAboveReport };

        var payload = EmailRenderer.Render(message, email, "d-1", DateTimeOffset.UnixEpoch, null);

        Assert.False(payload.Attached);
        Assert.Contains("The PDF is not attached " + reason, payload.Message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MarkedDigest_SubjectAndBodyStartWithTheMarking()
    {
        var weekly = DigestSamples.Weekly(hostile: false);
        var payload = EmailRenderer.Render(weekly with { Title = "[TLP:RED] " + weekly.Title, Marking = "TLP:RED" }, Email, "w-2", DateTimeOffset.UnixEpoch, null);

        Assert.StartsWith("[TLP:RED] Weekly incident digest Week 2026-W47", payload.Message.Subject, StringComparison.Ordinal);
        Assert.StartsWith("[TLP:RED] Weekly incident digest", payload.Message.TextBody!, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WeeklyDigest_NamesTheWeekAndShowsTrendsWithAttackerTextInert()
    {
        var payload = EmailRenderer.Render(DigestSamples.Weekly(hostile: true), Email, "w-1", DateTimeOffset.UnixEpoch, null);
        var html = payload.Message.HtmlBody!;
        var text = payload.Message.TextBody!;

        Assert.Equal("Weekly incident digest Week 2026-W47: 214 incidents, 96,410 hits (data gaps)", payload.Message.Subject);
        Assert.Contains("Week 2026-W47 (16–22 Nov 2026)", text, StringComparison.Ordinal);
        Assert.Contains("vs. the week before", html, StringComparison.Ordinal);
        Assert.Contains("Recurring attackers: 12 source IPs seen on two or more days", text, StringComparison.Ordinal);
        Assert.Contains("<li>Security issues exploited: 3 new this week, 5 still exploited from before</li>", html, StringComparison.Ordinal);
        Assert.Contains("Open the PDF report for Week 2026-W47", html, StringComparison.Ordinal);
        // The hostile IP and country of a recurring source: encoded, defanged, never a tag or a link.
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"https://evil", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HostilePiecesGluedAtRandom_NeverBecomeMarkupOrLinks()
    {
        // As the chat renderers' test: pieces of the hostile sample glued and cut at random, in every attacker field.
        var random = new Random(20261202);
        for (var round = 0; round < 300; round++)
        {
            var incident = DigestSamples.HostileGluedIncident(random);
            var payload = EmailRenderer.Render(DigestSamples.Digest() with { TopIncidents = [incident] }, Email, "d-1", DateTimeOffset.UnixEpoch, null);
            var html = payload.Message.HtmlBody!;
            var text = payload.Message.TextBody!;

            var context = $"{incident.Domain} | {incident.Path} | {incident.SecurityIssue}";
            foreach (var tag in new[] { "<script", "<img", "<at>", "href=\"https://evil", "://evil", "evil.example" })
            {
                Assert.False(html.Contains(tag, StringComparison.OrdinalIgnoreCase), $"html has {tag} from {context}");
            }

            Assert.False(text.Contains("evil.example", StringComparison.Ordinal), $"text has evil.example from {context}");
            Assert.DoesNotContain('\u202E', html);
            Assert.DoesNotContain('\u202E', text);
        }
    }
}
