using Azure.Core;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// Records the scopes it was asked for and refuses at once, offline: a client that authenticates fails without any
/// identity endpoint (instance metadata, the Azure CLI) being reached from a test.
/// </summary>
internal sealed class RefusingCredential : TokenCredential
{
    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => throw Refuse(requestContext);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => throw Refuse(requestContext);

    private RefusedTokenException Refuse(TokenRequestContext context)
    {
        lock (Scopes) Scopes.AddRange(context.Scopes);
        return new RefusedTokenException();
    }
}

internal sealed class RefusedTokenException : Exception
{
    public RefusedTokenException()
        : base("refused by the test credential")
    {
    }
}
