using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>The guards against tests reaching the internet: the test hosts' (<see cref="LocalOnlyHttp"/>) and the process's (<see cref="OutboundHttpRecorder"/>).</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class LocalOnlyHttpTests(AzuriteFixture azurite, OutboundHttpRecorder recorder)
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
        Assert.EndsWith(": https://api.wallarm.com", failure.Message, StringComparison.Ordinal); // the host, never a path or query
    }

    [Fact]
    public async Task AppHarness_ProductClientAskingTheSimulator_PassesAndDisposesCleanly()
    {
        var app = await AppHarness.StartAsync(azurite);

        Assert.Equal(app.Simulator.Options.ClientId, await app.Get<WallarmTenant>().GetClientIdAsync(app.Get<WallarmClient>(), Ct));

        Assert.Empty(app.Outbound.Refused);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task OutboundHttpRecorder_ClientOutsideAnyTestHost_RecordsTheRequestBeyondThisMachine()
    {
        Assert.NotNull(recorder);
        // A socket handler whose connect step refuses: the request is reported as sent, and nothing is looked up or opened.
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = (_, _) => throw new HttpRequestException("refused by the test") });
        var beyond = new Uri($"https://recorder-{Guid.NewGuid():N}.wallarm.com/v1/user");

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(beyond, Ct));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://127.0.0.1:9/"), Ct));

        Assert.Contains(beyond, OutboundHttpRecorder.Beyond);
        Assert.DoesNotContain(OutboundHttpRecorder.Beyond, u => u.Host == "127.0.0.1");
        OutboundHttpRecorder.Forget(u => u == beyond);
        Assert.DoesNotContain(beyond, OutboundHttpRecorder.Beyond);
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
