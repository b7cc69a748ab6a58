using IncidentFunctions.AppModel;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Hosting;
using IncidentFunctions.Tests.Digest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Channels;

[Trait("Category", TestCategories.Unit)]
public sealed class DeliveryOptionsValidatorTests
{
    private const string SecretUrl = "https://hooks.slack.com/services/T000/B000/FAKE-url-secret";

    private static string Validate(params ChannelOptions[] channels)
    {
        var result = new DeliveryOptionsValidator().Validate(null, new DeliveryOptions { Channels = [.. channels] });
        return result.Failed ? result.FailureMessage : "";
    }

    private static ChannelOptions Channel(string name = "ops", ChannelKind kind = ChannelKind.Slack, string? url = SecretUrl, string? secret = null)
        => new() { Name = name, Kind = kind, Url = url is null ? null : new Uri(url, UriKind.RelativeOrAbsolute), Secret = secret };

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Equal("", Validate());

    [Fact]
    public void Validate_OneChannelOfEachKind_Succeeds()
        => Assert.Equal("", Validate(
            Channel("slack"),
            Channel("teams", ChannelKind.Teams, "https://prod-01.westeurope.logic.azure.com/workflows/x?sig=FAKE-not-a-signature"),
            Channel("discord", ChannelKind.Discord, "https://discord.com/api/webhooks/1/FAKE-not-a-token"),
            Channel("siem", ChannelKind.Generic, "https://siem.example/hook", new string('k', 32)),
            Channel("local", ChannelKind.Generic, "http://127.0.0.1:8080/hook", new string('k', 40))));

    [Theory]
    [InlineData("Ops", "Digest:Channels:0:Name 'Ops'")]
    [InlineData("", "Digest:Channels:0:Name ''")]
    [InlineData("a very long name that is over forty characters", "must be 1–40")]
    public void Validate_BadName_NamesTheSetting(string name, string expected)
        => Assert.Contains(expected, Validate(Channel(name)), StringComparison.Ordinal);

    [Fact]
    public void Validate_DuplicateNames_AreRefused()
        => Assert.Contains("Digest:Channels:1:Name 'ops' is used by another channel", Validate(Channel(), Channel()), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, "Digest__Channels__0__Url")]
    [InlineData("/relative/hook", "Digest:Channels:0:Url")]
    [InlineData("http://hooks.example.com/services/T/B/FAKE-url-secret", "must use https")]
    [InlineData("ftp://hooks.example.com/FAKE-url-secret", "must use https")]
    [InlineData("https://user:FAKE-url-secret@hooks.example.com/x", "user:password")]
    public void Validate_BadUrl_SaysWhatIsWrongWithoutShowingIt(string? url, string expected)
    {
        var message = Validate(Channel(url: url));

        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("FAKE-url-secret", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    public void Validate_GenericWithoutAStrongSecret_IsRefused(string? secret)
    {
        var message = Validate(Channel("siem", ChannelKind.Generic, "https://siem.example/hook", secret));

        Assert.Contains("Digest:Channels:0:Secret (channel 'siem') must be at least 32 characters", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ChannelForNothing_IsRefused()
    {
        var channel = Channel();
        channel.Digest = false;

        Assert.Contains("receives neither a digest nor alerts", Validate(channel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ChannelsFromFlatAppSettings_BindAndValidate()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "t",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Digest:Channels:0:Name"] = "ops",
            ["Digest:Channels:0:Kind"] = "Teams",
            ["Digest:Channels:0:Url"] = "https://prod-01.westeurope.logic.azure.com/workflows/x?sig=FAKE-not-a-signature",
            ["Digest:Channels:0:Alerts"] = "true",
            ["Digest:Alerts:Enabled"] = "true",
            [AppSettingNames.DailyDigestSchedule] = "0 */5 * * * *",
            ["Reports:SigningKeys:k1"] = DigestSenderTests.SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://func.example.test/api/",
        });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        var options = host.Services.GetRequiredService<IOptions<DigestOptions>>().Value;
        var delivery = host.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        await host.StopAsync(TestContext.Current.CancellationToken);

        var channel = Assert.Single(delivery.Channels);
        Assert.Equal(ChannelKind.Teams, channel.Kind);
        Assert.True(channel.Digest);
        Assert.Single(delivery.ChannelsForAlerts());
        Assert.Equal("0 */5 * * * *", options.Schedule);
    }

    [Fact]
    public async Task StartAsync_DigestChannelWithoutReportLinkSettings_NamesThem()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = "t",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Digest:Channels:0:Name"] = "ops",
            ["Digest:Channels:0:Url"] = SecretUrl,
            ["Digest:LinkValidity"] = "10.00:00:00",
        });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Reports__SigningKeys__<id>", error.Message, StringComparison.Ordinal);
        Assert.Contains("Reports__PublicBaseUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("Digest:LinkValidity (10.00:00:00) is longer than Reports:MaxSignedLinkLifetime", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("FAKE-url-secret", error.Message, StringComparison.Ordinal);
    }
}
