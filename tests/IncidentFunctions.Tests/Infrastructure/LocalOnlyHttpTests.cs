using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>The test hosts' guard against reaching the internet (<see cref="LocalOnlyHttp"/>).</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class LocalOnlyHttpTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppHarness_ProductClientAskingTheRealCloud_IsRefusedBeforeAnyLookupAndFailsTheTest()
    {
        var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Wallarm:Cloud"] = "https://api.wallarm.com/",
            ["Wallarm:RetryMaxDelay"] = "00:00:00.100",
            ["Wallarm:AttemptTimeout"] = "00:00:01",
            ["Wallarm:TotalTimeout"] = "00:00:01",
        });

        // The tenant lookup is one of the requests the product retries and survives (the warm-up logs it and goes on).
        await Assert.ThrowsAnyAsync<Exception>(() => app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct));

        Assert.Contains(app.Outbound.Refused, u => u.Host == "api.wallarm.com");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.DisposeAsync().AsTask());
        Assert.Contains("https://api.wallarm.com/v1/user", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppHarness_ProductClientAskingTheSimulator_PassesAndDisposesCleanly()
    {
        var app = await AppHarness.StartAsync(azurite);

        Assert.Equal(app.Simulator.Options.ClientId, await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct));

        Assert.Empty(app.Outbound.Refused);
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", true)]
    [InlineData("http://127.8.0.1/", true)]
    [InlineData("http://[::1]:8080/hook", true)]
    [InlineData("http://localhost:7071/api/health", true)]
    [InlineData("http://intel.localhost/list.txt", true)]
    [InlineData("https://api.wallarm.com/v1/objects/attack", false)]
    [InlineData("http://169.254.169.254/metadata/identity/oauth2/token", false)]
    [InlineData("http://10.0.0.5/hook", false)]
    [InlineData("http://127.0.0.1.nip.io/", false)]
    [InlineData("https://localhost.evil.example/", false)]
    public void IsLocal_Address_OnlyLoopbackAndLocalhost(string address, bool local)
        => Assert.Equal(local, LocalOnlyHttp.IsLocal(new Uri(address)));
}
