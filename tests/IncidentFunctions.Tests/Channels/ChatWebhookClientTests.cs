using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IncidentFunctions.Channels;
using IncidentFunctions.Hosting;
using IncidentFunctions.Tests.Digest;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.LocalRunner;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Channels;

/// <summary>The typed webhook client through the real composition root (its resilience pipeline) against fake platforms.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ChatWebhookClientTests : IAsyncDisposable
{
    private const string GenericSecret = "FAKE-generic-secret-NOT-A-SECRET-00000000";
    private readonly List<IAsyncDisposable> _disposables = [];
    private IHost? _host;

    private FakeLogCollector Logs => _host!.Services.GetFakeLogCollector();

    [Fact]
    public async Task PostAsync_429WithRetryAfter_WaitsThatLongThenDelivers()
    {
        var slack = await PlatformAsync(ChannelKind.Slack);
        slack.Then(FakeChatPlatform.Status(429, "rate_limited", null, ("Retry-After", "1")));
        var (client, channel) = Start(slack);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, outcome.Attempts);
        Assert.Equal(2, slack.Received.Count);
        var retry = Assert.Single(Logs.GetSnapshot(), r => r.Id.Id == 1508);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.Value<TimeSpan>("Delay"));
        Assert.True(slack.Received[1].At - slack.Received[0].At >= TimeSpan.FromMilliseconds(900), "the retry came before Retry-After allowed");
    }

    [Fact]
    public async Task PostAsync_Discord429_UsesTheBodysRetryAfterOverTheHeader()
    {
        var discord = await PlatformAsync(ChannelKind.Discord);
        discord.Then(FakeChatPlatform.Status(429, """{"message": "You are being rate limited.", "retry_after": 0.25, "global": false}""", "application/json", ("Retry-After", "1")));
        var (client, channel) = Start(discord);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Discord), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Assert.Single(Logs.GetSnapshot(), r => r.Id.Id == 1508).Value<TimeSpan>("Delay"));
    }

    [Theory]
    [InlineData("""{"message": "You are being rate limited.", "retry_after": """)]
    [InlineData("""{"retry_after": "soon"}""")]
    [InlineData("""{"retry_after": -5}""")]
    [InlineData("""["retry_after", 0.25]""")]
    public async Task PostAsync_Discord429WithAnUnusableBody_FallsBackToTheRetryAfterHeader(string body)
    {
        var discord = await PlatformAsync(ChannelKind.Discord);
        discord.Then(FakeChatPlatform.Status(429, body, "application/json", ("Retry-After", "1")));
        var (client, channel) = Start(discord);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Discord), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, discord.Received.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(Logs.GetSnapshot(), r => r.Id.Id == 1508).Value<TimeSpan>("Delay"));
    }

    [Fact]
    public async Task PostAsync_RetryAfterBeyondTheMaximum_GivesUpAtOnceAsNotPosted()
    {
        var slack = await PlatformAsync(ChannelKind.Slack);
        slack.Then(FakeChatPlatform.Status(429, "rate_limited", null, ("Retry-After", "3600")));
        var (client, channel) = Start(slack);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(429, outcome.StatusCode);
        Assert.Single(slack.Received);
        Assert.Contains("asked to wait 01:00:00", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAsync_500Then502_RetriesWithBackoffAndDelivers()
    {
        var teams = await PlatformAsync(ChannelKind.Teams);
        teams.Then(FakeChatPlatform.Status(500), FakeChatPlatform.Status(502));
        var (client, channel) = Start(teams);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Teams), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(202, outcome.StatusCode);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal(2, Logs.GetSnapshot().Count(r => r.Id.Id == 1508));
    }

    [Fact]
    public async Task PostAsync_500EveryTime_FailsAfterTheConfiguredRetries()
    {
        var slack = await PlatformAsync(ChannelKind.Slack);
        slack.Then(Enumerable.Repeat(FakeChatPlatform.Status(500, "internal_error"), 10).ToArray());
        var (client, channel) = Start(slack, ("Digest:MaxRetries", "2"));

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal(3, slack.Received.Count);
        Assert.Equal("HTTP 500: internal_error", outcome.Error);
    }

    [Fact]
    public async Task PostAsync_400_IsNotRetriedAndKeepsThePlatformsReason()
    {
        var slack = await PlatformAsync(ChannelKind.Slack);
        slack.Then(FakeChatPlatform.Status(400, "invalid_blocks"));
        var (client, channel) = Start(slack);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Single(slack.Received);
        Assert.Equal("HTTP 400: invalid_blocks", outcome.Error);
    }

    [Theory]
    [InlineData(ChannelKind.Slack)]
    [InlineData(ChannelKind.Teams)]
    [InlineData(ChannelKind.Discord)]
    public async Task PostAsync_ChatPlatformDoesNotAnswerInTime_IsUnknownAndNotSentAgain(ChannelKind kind)
    {
        // The platform may have posted it: a retry could post it twice, so the client stops.
        var platform = await PlatformAsync(kind);
        platform.Then(FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)));
        var (client, channel) = Start(platform);

        var outcome = await client.PostAsync(channel, Render(kind), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Unknown, outcome.Result);
        Assert.Equal(1, outcome.Attempts);
        Assert.Single(platform.Received);
        Assert.StartsWith("sent but not answered", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAsync_GenericDoesNotAnswerInTime_IsSentAgainUnderTheSameDeliveryId()
    {
        var generic = await PlatformAsync(ChannelKind.Generic);
        generic.Then(FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)));
        var (client, channel) = Start(generic);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Generic, "d-same"), "d-same", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, generic.Received.Count);
        Assert.All(generic.Received, r =>
        {
            Assert.Equal("d-same", r.Headers[WebhookSigner.DeliveryHeader]);
            Assert.Equal("d-same", r.Headers[WebhookSigner.IdempotencyHeader]);
        });
    }

    [Fact]
    public async Task PostAsync_Generic_SignsTimestampAndBodyWithTheChannelSecret()
    {
        var generic = await PlatformAsync(ChannelKind.Generic);
        var (client, channel) = Start(generic);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Generic, "d-7"), "d-7", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        var post = Assert.Single(generic.Received);
        var timestamp = post.Headers[WebhookSigner.TimestampHeader];
        var signature = post.Headers[WebhookSigner.SignatureHeader];
        Assert.StartsWith("sha256=", signature, StringComparison.Ordinal);
        Assert.True(WebhookSigner.Verify(GenericSecret, timestamp, signature, post.Body, DateTimeOffset.UtcNow));
        // A different body, secret or an old timestamp does not verify.
        Assert.False(WebhookSigner.Verify(GenericSecret, timestamp, signature, post.Body + " ", DateTimeOffset.UtcNow));
        Assert.False(WebhookSigner.Verify(GenericSecret + "x", timestamp, signature, post.Body, DateTimeOffset.UtcNow));
        Assert.False(WebhookSigner.Verify(GenericSecret, timestamp, signature, post.Body, DateTimeOffset.UtcNow.AddMinutes(10)));
    }

    [Fact]
    public async Task PostAsync_GenericRetryMinutesLater_IsSignedAgainWithAFreshTimestamp()
    {
        // The first attempt is answered 503 only after ten minutes have passed on the clock both sides read: a retry
        // with the first timestamp would be refused by a receiver that rejects timestamps older than five minutes.
        var clock = new ManualClock();
        var generic = await PlatformAsync(ChannelKind.Generic);
        generic.Then(async context =>
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            await FakeChatPlatform.Status(503, "busy", null, ("Retry-After", "0"))(context);
        });
        var (client, channel) = Start(generic, clock);
        var receivedAt = new List<DateTimeOffset> { clock.GetUtcNow() };

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Generic, "d-9"), "d-9", TestContext.Current.CancellationToken);
        receivedAt.Add(clock.GetUtcNow());

        Assert.Equal(DeliveryResult.Delivered, outcome.Result);
        Assert.Equal(2, generic.Received.Count);
        var timestamps = generic.Received.Select(p => long.Parse(p.Headers[WebhookSigner.TimestampHeader], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(600, timestamps[1] - timestamps[0]);
        for (var i = 0; i < 2; i++)
        {
            var post = generic.Received[i];
            Assert.True(WebhookSigner.Verify(GenericSecret, post.Headers[WebhookSigner.TimestampHeader], post.Headers[WebhookSigner.SignatureHeader], post.Body, receivedAt[i]), $"attempt {i + 1} does not verify when it arrives");
            Assert.Equal("d-9", post.Headers[WebhookSigner.DeliveryHeader]);
        }

        Assert.False(WebhookSigner.Verify(GenericSecret, generic.Received[0].Headers[WebhookSigner.TimestampHeader], generic.Received[0].Headers[WebhookSigner.SignatureHeader], generic.Received[0].Body, receivedAt[1]));
    }

    [Fact]
    public async Task PostAsync_NothingListening_IsRetriedAndFailsAsNotSent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // the port is now closed: connections are refused
        var channel = new ChannelOptions { Name = "gone", Kind = ChannelKind.Slack, Url = new Uri($"http://127.0.0.1:{port}/services/T/B/secret-gone") };
        var (client, _) = Start(null, ("Digest:MaxRetries", "2"));

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(3, outcome.Attempts);
        Assert.StartsWith("not sent", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAsync_Redirect_IsNotFollowed()
    {
        var slack = await PlatformAsync(ChannelKind.Slack);
        var elsewhere = await PlatformAsync(ChannelKind.Slack);
        slack.Then(FakeChatPlatform.Status(307, null, null, ("Location", elsewhere.Url.AbsoluteUri)));
        var (client, channel) = Start(slack);

        var outcome = await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken);

        Assert.Equal(DeliveryResult.Failed, outcome.Result);
        Assert.Equal(307, outcome.StatusCode);
        Assert.Empty(elsewhere.Received);
    }

    [Fact]
    public async Task PostAsync_AnyOutcome_NeverLogsOrReportsTheWebhookUrl()
    {
        var slack = await PlatformAsync(ChannelKind.Slack);
        slack.Then(
            FakeChatPlatform.Status(503, "busy", null, ("Retry-After", "0")),
            FakeChatPlatform.Status(500),
            FakeChatPlatform.Status(404, "no_service"),
            FakeChatPlatform.Hang(TimeSpan.FromSeconds(30)));
        var (client, channel) = Start(slack);
        var outcomes = new List<DeliveryOutcome>();

        outcomes.Add(await client.PostAsync(channel, Render(ChannelKind.Slack), "d-1", TestContext.Current.CancellationToken));
        outcomes.Add(await client.PostAsync(channel, Render(ChannelKind.Slack), "d-2", TestContext.Current.CancellationToken));
        outcomes.Add(await client.PostAsync(channel, Render(ChannelKind.Slack), "d-3", TestContext.Current.CancellationToken));

        Assert.Equal([DeliveryResult.Failed, DeliveryResult.Unknown, DeliveryResult.Delivered], outcomes.Select(o => o.Result));
        var logged = Logs.GetSnapshot();
        Assert.NotEmpty(logged);
        foreach (var record in logged)
        {
            Assert.DoesNotContain(slack.SecretToken, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(slack.SecretToken, record.Exception?.ToString() ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(slack.SecretToken, string.Join(" ", record.StructuredState?.Select(s => s.Value) ?? []), StringComparison.Ordinal);
        }

        Assert.All(outcomes, o => Assert.DoesNotContain(slack.SecretToken, o.Error ?? "", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _host?.Dispose();
        foreach (var d in _disposables) await d.DisposeAsync();
    }

    private static ChatPayload Render(ChannelKind kind, string deliveryId = "d-1") => ChatRenderer.For(kind).Render(DigestSamples.Digest(), deliveryId);

    private async Task<FakeChatPlatform> PlatformAsync(ChannelKind kind)
    {
        var platform = await FakeChatPlatform.StartAsync(kind);
        _disposables.Add(platform);
        return platform;
    }

    private (ChatWebhookClient Client, ChannelOptions Channel) Start(FakeChatPlatform? platform, params (string Key, string Value)[] settings)
        => Start(platform, null, settings);

    private (ChatWebhookClient Client, ChannelOptions Channel) Start(FakeChatPlatform? platform, TimeProvider? clock, params (string Key, string Value)[] settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "t",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Digest:RetryBaseDelay"] = "00:00:00.020",
            ["Digest:RetryMaxDelay"] = "00:00:05",
            ["Digest:AttemptTimeout"] = "00:00:00.750",
            ["Digest:TotalTimeout"] = "00:00:20",
            ["Reports:SigningKeys:k1"] = DigestSenderTests.SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://func.example.test/api/",
        };
        if (platform is not null)
        {
            configuration["Digest:Channels:0:Name"] = "chat";
            configuration["Digest:Channels:0:Kind"] = platform.Kind.ToString();
            configuration["Digest:Channels:0:Url"] = platform.Url.AbsoluteUri;
            configuration["Digest:Channels:0:Secret"] = GenericSecret;
        }

        foreach (var (key, value) in settings) configuration[key] = value;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        if (clock is not null) builder.Services.AddSingleton(clock);
        builder.AddIncidentFunctions();
        _host = builder.Build();
        var options = _host.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        return (_host.Services.GetRequiredService<ChatWebhookClient>(), options.Channels.FirstOrDefault()!);
    }
}
