using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Incidents;
using IncidentFunctions.Operations;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace IncidentFunctions.Tests.Digest;

/// <summary>
/// <c>SendDailyDigest</c> to an Email channel end to end: the real composition root on Azurite, the digest sent over
/// SMTP to maildev (read back through its API as the raw message) or to a scripted server for the failure modes.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class EmailDigestTests(AzuriteFixture azurite, MailDevFixture maildev) : IClassFixture<MailDevFixture>, IAsyncDisposable
{
    private const string From = "digest@incidents.example.com";
    private const string HostilePath = "/login\r\nBcc: victim@evil.example\r\nSubject: pwned <script>alert(1)</script> https://evil.example/x";
    private readonly List<IAsyncDisposable> _disposables = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_EmailChannel_SendsOneMultipartMessageWithThePdfAttached()
    {
        var app = await StartAsync(maildev.SmtpPort);
        await SeedAsync(app);

        var first = await RunAsync(app);
        var again = await RunAsync(app);

        var delivery = Assert.Single(first.Deliveries);
        Assert.Equal(DigestDeliveryStatus.Delivered, delivery.Status);
        Assert.Empty(again.Deliveries);
        var messageId = EmailRenderer.MessageId(delivery.DeliveryId!, "incidents.example.com");
        var listed = await maildev.WaitForAsync(messageId, Ct);
        Assert.Equal(1, await maildev.CountAsync(messageId, Ct));
        var raw = await maildev.SourceAsync(listed.GetProperty("id").GetString()!, Ct);

        // Headers: app-built only; the Bcc recipient is not disclosed.
        Assert.Equal("Daily incident digest 2026-11-19: 2 incidents, 52 hits", raw.Subject);
        Assert.Equal(From, raw.From.Mailboxes.Single().Address);
        Assert.Equal(["soc@example.com", "lead@example.com"], raw.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("audit@example.com", raw.Cc.Mailboxes.Single().Address);
        Assert.Empty(raw.Bcc);
        Assert.Equal("auto-generated", raw.Headers["Auto-Submitted"]);
        foreach (var header in raw.Headers)
        {
            Assert.DoesNotContain("evil", header.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("pwned", header.Value, StringComparison.OrdinalIgnoreCase);
        }

        // Parts: text and HTML alternatives, then the PDF, which PdfPig opens and whose hash the footer names.
        var body = Assert.IsType<Multipart>(raw.Body);
        Assert.Equal("multipart/mixed", body.ContentType.MimeType);
        Assert.Equal(["multipart/alternative", "application/pdf"], body.Select(p => p.ContentType.MimeType));
        Assert.Equal(["text/plain", "text/html"], ((Multipart)body[0]).Select(p => p.ContentType.MimeType));
        var pdfPart = Assert.IsType<MimePart>(body[1]);
        Assert.Equal("incident-report-2026-11-19.pdf", pdfPart.FileName);
        Assert.NotNull(pdfPart.Content);
        using var pdf = new MemoryStream();
        await pdfPart.Content.DecodeToAsync(pdf, Ct);
        Assert.Contains("2026-11-19", string.Join('\n', PdfText.Pages(pdf.ToArray())), StringComparison.Ordinal);
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf.ToArray()));
        Assert.Contains(sha, raw.TextBody, StringComparison.Ordinal);

        // The signed link in both parts; the same figures in the same words as chat.
        Assert.Contains("https://func.example.test/api/reports/shared/daily/2026-11-19.pdf?exp=", raw.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://func.example.test/api/reports/shared/daily/2026-11-19.pdf?exp=", raw.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("2 incidents · +2 (new) vs. the day before", raw.TextBody, StringComparison.Ordinal);
        Assert.Contains("All reports (signed link):\nhttps://func.example.test/api/reports/shared/archive?exp=", raw.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("href=\"https://func.example.test/api/reports/shared/archive?exp=", raw.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("The PDF report is attached.", raw.TextBody, StringComparison.Ordinal);

        // Attacker text: neither markup nor a link nor a header in either part.
        Assert.DoesNotContain("<script", raw.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", raw.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("https://evil", raw.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", raw.TextBody, StringComparison.Ordinal);
        Assert.Contains("evil[.]example", raw.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("\nBcc:", raw.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", raw.HtmlBody, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RunAsync_PdfAboveTheAttachmentLimit_SendsTheSignedLinkOnly()
    {
        var app = await StartAsync(maildev.SmtpPort, new() { ["Digest:Channels:0:Email:MaxAttachmentBytes"] = "1000" });
        await SeedAsync(app);

        var delivery = Assert.Single((await RunAsync(app)).Deliveries);

        var listed = await maildev.WaitForAsync(EmailRenderer.MessageId(delivery.DeliveryId!, "incidents.example.com"), Ct);
        var raw = await maildev.SourceAsync(listed.GetProperty("id").GetString()!, Ct);
        Assert.Empty(raw.Attachments);
        Assert.Contains("Open the PDF report (signed link):", raw.TextBody, StringComparison.Ordinal);
        Assert.Contains("not attached (too large)", raw.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ConnectionLostAfterTheMessage_IsUnknownLoggedAndNeverSentAgain()
    {
        var server = new FakeSmtpServer(SmtpScript.DropAfterData, SmtpScript.Accept);
        _disposables.Add(server);
        var app = await StartAsync(server.Port);
        await SeedAsync(app);

        var first = await RunAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(15));
        var later = await RunAsync(app);

        Assert.Equal(DigestDeliveryStatus.Unknown, Assert.Single(first.Deliveries).Status);
        Assert.Empty(later.Deliveries);
        Assert.Single(server.Messages);
        Assert.Equal(1, server.Connections);
        var logged = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1503);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("'mail' (Email)", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestStatus_EmailChannel_ShowsTheSmtpHostAndNeverThePassword()
    {
        const string Password = "FAKE-smtp-password-must-not-show";
        var app = await StartAsync(maildev.SmtpPort, new()
        {
            ["Digest:Channels:0:Email:UserName"] = "digest-user",
            ["Digest:Channels:0:Email:Password"] = Password,
        });

        JsonObject status;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            status = await scope.ServiceProvider.GetRequiredService<DigestStatusEndpoint>().BuildAsync(Ct);
        }

        var channel = Assert.Single(status["channels"]!.AsArray())!;
        Assert.Equal("Email", channel["kind"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", channel["host"]!.GetValue<string>());
        Assert.DoesNotContain(Password, status.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("digest-user", status.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EmailChannelRefusedEveryTime_IsDisabledAndStatusShowsItsHost()
    {
        var server = new FakeSmtpServer(new SmtpScript(Rcpt: "550 5.1.1 <soc@example.com>: mailbox unavailable"));
        _disposables.Add(server);
        var app = await StartAsync(server.Port, new()
        {
            ["Digest:AutoDisable:MinDeliveries"] = "3",
            ["Digest:AutoDisable:FailureRate"] = "0.6",
            ["Digest:Channels:0:Email:Host"] = "localhost",
        });
        await SeedAsync(app);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<DigestDeliveryException>(() => RunAsync(app));
            app.Clock.Advance(TimeSpan.FromMinutes(15));
        }

        var skipped = await RunAsync(app);
        JsonObject status;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            status = await scope.ServiceProvider.GetRequiredService<DigestStatusEndpoint>().BuildAsync(Ct);
        }

        // A 5xx is permanent: one connection per run, none once the channel is disabled.
        Assert.Equal(3, server.Connections);
        Assert.Empty(server.Messages);
        Assert.Equal(DigestDeliveryStatus.ChannelDisabled, Assert.Single(skipped.Deliveries).Status);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1504 && r.Level == LogLevel.Critical);
        var channel = Assert.Single(status["channels"]!.AsArray())!;
        Assert.False(channel["enabled"]!.GetValue<bool>());
        Assert.Equal("localhost", channel["host"]!.GetValue<string>());
        Assert.Contains("550", channel["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Set Digest:Channels:0:Generation to 1", channel["reEnable"]!.GetValue<string>());
    }

    private static Task<DigestRunResult> RunAsync(AppHarness app) => app.Get<DigestSender>().RunAsync(Ct);

    private static async Task SeedAsync(AppHarness app)
    {
        var hostile = DigestSenderTests.Incident("a:2", Utc(2026, 11, 19, 13, 0), hits: 12, status: IncidentStatus.Monitoring) with { Path = HostilePath, Domain = "evil.example" };
        await app.Get<IncidentStore>().UpsertAsync([DigestSenderTests.Incident("a:1", Utc(2026, 11, 19, 9, 0), hits: 40), hostile], app.Clock.GetUtcNow(), Ct);
        // Both days pulled whole, so the subject carries no "(data gaps)".
        await app.Get<CoverageLog>().RecordAsync(DigestSenderTests.Tenant, new TimeWindow(Utc(2026, 11, 18, 0, 0), Utc(2026, 11, 20, 0, 0)), "seed", 2, 0, app.Clock.GetUtcNow(), Ct);
    }

    private async Task<AppHarness> StartAsync(int smtpPort, Dictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = DigestSenderTests.Tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:SigningKeys:k1"] = DigestSenderTests.SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://func.example.test/api/",
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
            ["Digest:MaxRetries"] = "1",
            ["Digest:RetryBaseDelay"] = "00:00:00.010",
            ["Digest:TotalTimeout"] = "00:00:20",
            ["Digest:Channels:0:Name"] = "mail",
            ["Digest:Channels:0:Kind"] = "Email",
            ["Digest:Channels:0:Email:Host"] = "127.0.0.1",
            ["Digest:Channels:0:Email:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Digest:Channels:0:Email:Security"] = "None",
            ["Digest:Channels:0:Email:From"] = From,
            ["Digest:Channels:0:Email:To"] = "soc@example.com, \"Team lead\" <lead@example.com>",
            ["Digest:Channels:0:Email:Cc"] = "audit@example.com",
            ["Digest:Channels:0:Email:Bcc"] = "archive@example.com",
            ["Digest:Channels:0:Email:Timeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? []) configuration[key] = value;
        var app = await AppHarness.StartAsync(azurite, DigestSenderTests.Tenant, Utc(2026, 11, 20, 8, 0), configuration);
        _disposables.Add(app);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables) await d.DisposeAsync();
    }
}
