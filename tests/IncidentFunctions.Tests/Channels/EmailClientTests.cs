using System.Net;
using System.Net.Sockets;
using IncidentFunctions.Channels;
using IncidentFunctions.Tests.Digest;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Channels;

/// <summary>
/// SMTP delivery semantics against a scripted server (refusals with chosen codes, a connection dropped after the
/// message) and against maildev (a real SMTP server that keeps what it got).
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class EmailClientTests(MailDevFixture maildev) : IClassFixture<MailDevFixture>, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly FakeLogger<EmailClient> _logger = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendAsync_MailDevAccepts_IsDeliveredOnceWithItsMessageId()
    {
        var (client, channel) = Client(maildev.SmtpPort);
        var payload = Render(channel, "d-1-20261119-mail-aa11");

        var outcome = await client.SendAsync(channel, payload, Ct);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(1, outcome.Attempts);
        await maildev.WaitForAsync(payload.Message.MessageId!, Ct);
        Assert.Equal(1, await maildev.CountAsync(payload.Message.MessageId!, Ct));
    }

    [Fact]
    public async Task SendAsync_4xxAtRecipientThenAccepted_RetriesWithBackOffAndDelivers()
    {
        var server = Server(new SmtpScript(Rcpt: "451 4.7.1 greylisted, try again later"), SmtpScript.Accept);
        var (client, channel) = Client(server.Port);

        var outcome = await client.SendAsync(channel, Render(channel, "d-2"), Ct);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, outcome.Attempts);
        Assert.Single(server.Messages);
        var retry = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1530);
        Assert.Contains("SMTP 451", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_4xxAfterData_IsRetriedBecauseTheServerDidNotTakeIt()
    {
        var server = Server(new SmtpScript(AfterData: "452 4.3.1 insufficient system storage"), SmtpScript.Accept);
        var (client, channel) = Client(server.Port);

        var outcome = await client.SendAsync(channel, Render(channel, "d-3"), Ct);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, server.Messages.Count);
    }

    [Theory]
    [InlineData("550 5.1.1 no such user", null, "no such user")]
    [InlineData("250 OK", "554 5.7.1 message rejected as spam", "rejected as spam")]
    public async Task SendAsync_5xx_FailsAtOnceWithoutRetrying(string rcpt, string? afterData, string serverWords)
    {
        var server = Server(new SmtpScript(Rcpt: rcpt, AfterData: afterData ?? "250 OK"));
        var (client, channel) = Client(server.Port);

        var outcome = await client.SendAsync(channel, Render(channel, "d-4"), Ct);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal(1, server.Connections);
        Assert.Contains("SMTP 5", outcome.Error, StringComparison.Ordinal);
        Assert.Contains(serverWords, outcome.Error, StringComparison.Ordinal); // the server's own words, sanitised
    }

    [Fact]
    public async Task SendAsync_ConnectionLostAfterTheMessage_IsUnknownAndNotSentAgain()
    {
        var server = Server(SmtpScript.DropAfterData);
        var (client, channel) = Client(server.Port);

        var outcome = await client.SendAsync(channel, Render(channel, "d-5"), Ct);

        Assert.Equal(DeliveryResult.Unknown, outcome.Result);
        Assert.Equal(1, outcome.Attempts);
        Assert.Single(server.Messages);
        Assert.Contains("may have been accepted", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_GreetingRefused_IsRetriedAsNotSent()
    {
        var server = Server(new SmtpScript(Greeting: "421 4.3.2 service not available"), SmtpScript.Accept);
        var (client, channel) = Client(server.Port);

        var outcome = await client.SendAsync(channel, Render(channel, "d-6"), Ct);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, outcome.Attempts);
    }

    [Fact]
    public async Task SendAsync_NothingListens_FailsAfterTheRetriesAsNotSent()
    {
        var port = ClosedPort();
        var (client, channel) = Client(port);

        var outcome = await client.SendAsync(channel, Render(channel, "d-7"), Ct);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(3, outcome.Attempts); // MaxRetries 2
        Assert.Contains("could not connect to 127.0.0.1", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_StartTlsNotOffered_FailsAtOnceNamingTheSetting()
    {
        var server = Server(SmtpScript.Accept);
        var (client, channel) = Client(server.Port, SmtpSecurity.StartTls);

        var outcome = await client.SendAsync(channel, Render(channel, "d-8"), Ct);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(1, outcome.Attempts);
        Assert.Empty(server.Messages);
    }

    private static EmailPayload Render(ChannelOptions channel, string deliveryId)
        => EmailRenderer.Render(DigestSamples.Digest(), channel.Email!, deliveryId, DateTimeOffset.UtcNow, null);

    private (EmailClient Client, ChannelOptions Channel) Client(int port, SmtpSecurity security = SmtpSecurity.None)
    {
        var delivery = new DeliveryOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(20), RetryMaxDelay = TimeSpan.FromMilliseconds(100), TotalTimeout = TimeSpan.FromSeconds(30) };
        var channel = new ChannelOptions
        {
            Name = "mail",
            Kind = ChannelKind.Email,
            Email = new EmailOptions { Host = "127.0.0.1", Port = port, Security = security, From = "digest@incidents.example.com", To = "soc@example.com", Timeout = TimeSpan.FromSeconds(5) },
        };
        delivery.Channels.Add(channel);
        return (new EmailClient(Options.Create(delivery), TimeProvider.System, _logger), channel);
    }

    private FakeSmtpServer Server(params SmtpScript[] scripts)
    {
        var server = new FakeSmtpServer(scripts);
        _disposables.Add(server);
        return server;
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables) await d.DisposeAsync();
    }
}
