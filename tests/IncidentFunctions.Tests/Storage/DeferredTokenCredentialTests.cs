using Azure.Core;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Unit)]
public sealed class DeferredTokenCredentialTests
{
    private static readonly TokenRequestContext Context = new(["https://storage.azure.com/.default"]);

    [Fact]
    public async Task GetTokenAsync_FirstRequest_ResolvesOnceAndForwards()
    {
        var resolved = 0;
        var credential = new DeferredTokenCredential(() =>
        {
            resolved++;
            return new FixedCredential("t1");
        });
        Assert.Equal(0, resolved);

        var first = await credential.GetTokenAsync(Context, TestContext.Current.CancellationToken);
        var second = credential.GetToken(Context, TestContext.Current.CancellationToken);

        Assert.Equal(("t1", "t1", 1), (first.Token, second.Token, resolved));
    }

    [Fact]
    public async Task GetTokenAsync_ResolvingFailsOnce_TriesAgainOnTheNextRequest()
    {
        var attempts = 0;
        var credential = new DeferredTokenCredential(() => ++attempts == 1 ? throw new InvalidOperationException("no identity yet") : new FixedCredential("t2"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => credential.GetTokenAsync(Context, TestContext.Current.CancellationToken).AsTask());
        var token = await credential.GetTokenAsync(Context, TestContext.Current.CancellationToken);

        Assert.Equal("t2", token.Token);
    }

    private sealed class FixedCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, DateTimeOffset.MaxValue);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
