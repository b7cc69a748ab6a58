using IncidentFunctions.Channels;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Channels;

/// <summary>Automatic disabling by failure share within the window, and re-enabling by raising the configured generation.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ChannelHealthTests(AzuriteFixture azurite)
{
    private readonly ManualClock _clock = new();
    private readonly FakeLogCollector _logs = new();
    private readonly string _prefix = UniqueNames.TablePrefix();

    private ChannelHealth Health(DeliveryOptions options)
        => new(
            TestStorage.Clients(azurite.ConnectionString, _prefix),
            _clock,
            Options.Create(options),
            new FakeLogger<ChannelHealth>(_logs));

    private static DeliveryOptions Settings(int generation = 0) => new()
    {
        Channels = [new ChannelOptions { Name = "ops", Kind = ChannelKind.Teams, Url = new Uri("https://example.logic.azure.com/x"), Generation = generation }],
        AutoDisable = new AutoDisableOptions { FailureRate = 0.6, Window = TimeSpan.FromHours(12), MinDeliveries = 5 },
    };

    [Fact]
    public async Task GetAsync_NewChannel_IsEnabledSinceNow()
    {
        var options = Settings();

        var state = await Health(options).GetAsync(options.Channels[0], TestContext.Current.CancellationToken);

        Assert.True(state.Enabled);
        Assert.Equal(_clock.GetUtcNow(), state.Since);
        Assert.Equal(0, state.RecentDeliveries);
    }

    [Fact]
    public async Task RecordAsync_FiveFailuresInARow_DisablesLoudlyNamingTheSettingToRaise()
    {
        var options = Settings();
        var health = Health(options);
        var states = new List<ChannelState>();

        for (var i = 0; i < 5; i++)
        {
            states.Add(await health.RecordAsync(options.Channels[0], false, "HTTP 404: no_service", TestContext.Current.CancellationToken));
            _clock.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.All(states.Take(4), s => Assert.True(s.Enabled));
        Assert.False(states[4].Enabled);
        Assert.Contains("5 of 5 deliveries failed", states[4].DisabledReason, StringComparison.Ordinal);
        var critical = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 1504);
        Assert.Equal(LogLevel.Critical, critical.Level);
        Assert.Contains("Digest:Channels:0:Generation to 1", critical.Message, StringComparison.Ordinal);
        Assert.False((await health.GetAsync(options.Channels[0], TestContext.Current.CancellationToken)).Enabled);
    }

    [Theory]
    [InlineData(2, 3, true)]  // 40 % failed
    [InlineData(3, 2, false)] // 60 %: the threshold itself disables
    [InlineData(4, 0, true)]  // too few deliveries to judge
    public async Task RecordAsync_FailureShare_DisablesFromTheThreshold(int failures, int successes, bool enabled)
    {
        var options = Settings();
        var health = Health(options);
        ChannelState state = null!;

        foreach (var ok in Enumerable.Repeat(true, successes).Concat(Enumerable.Repeat(false, failures)))
        {
            state = await health.RecordAsync(options.Channels[0], ok, ok ? null : "HTTP 500", TestContext.Current.CancellationToken);
        }

        Assert.Equal(enabled, state.Enabled);
        Assert.Equal(failures + successes, state.RecentDeliveries);
    }

    [Fact]
    public async Task RecordAsync_FailuresOlderThanTheWindow_AreForgotten()
    {
        var options = Settings();
        var health = Health(options);
        for (var i = 0; i < 4; i++) await health.RecordAsync(options.Channels[0], false, "HTTP 500", TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromHours(13));

        var state = await health.RecordAsync(options.Channels[0], false, "HTTP 500", TestContext.Current.CancellationToken);

        Assert.True(state.Enabled);
        Assert.Equal(1, state.RecentDeliveries);
    }

    [Fact]
    public async Task GetAsync_GenerationRaisedAfterDisabling_ReEnablesWithAFreshHistory()
    {
        var disabled = Settings(generation: 0);
        for (var i = 0; i < 5; i++) await Health(disabled).RecordAsync(disabled.Channels[0], false, "HTTP 410", TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromHours(1));

        var unchanged = await Health(Settings(generation: 0)).GetAsync(Settings().Channels[0], TestContext.Current.CancellationToken);
        var raised = Settings(generation: 1);
        var state = await Health(raised).GetAsync(raised.Channels[0], TestContext.Current.CancellationToken);

        Assert.False(unchanged.Enabled);
        Assert.True(state.Enabled);
        Assert.Equal(1, state.Generation);
        Assert.Equal(0, state.RecentDeliveries);
        Assert.Equal(_clock.GetUtcNow(), state.Since);
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 1505);
    }

    [Fact]
    public async Task RecordAsync_ConcurrentDeliveries_KeepEveryOutcome()
    {
        var options = Settings();
        var health = Health(options);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => health.RecordAsync(options.Channels[0], true, null, TestContext.Current.CancellationToken)));

        Assert.Equal(6, (await health.GetAsync(options.Channels[0], TestContext.Current.CancellationToken)).RecentDeliveries);
    }
}
