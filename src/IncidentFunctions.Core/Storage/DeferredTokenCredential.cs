using Azure.Core;

namespace IncidentFunctions.Storage;

/// <summary>
/// The app's credential, resolved on the first token request. The Azure client factory asks for a credential for
/// every client it makes, also for those built from a connection string (Azurite, self-hosting), which never sign in:
/// resolving it there built a DefaultAzureCredential and loaded MSAL into every such process.
/// </summary>
internal sealed class DeferredTokenCredential(Func<TokenCredential> resolve) : TokenCredential
{
    // PublicationOnly: a failure to build the credential is not cached, the next request tries again.
    private readonly Lazy<TokenCredential> _credential = new(resolve, LazyThreadSafetyMode.PublicationOnly);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => _credential.Value.GetToken(requestContext, cancellationToken);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => _credential.Value.GetTokenAsync(requestContext, cancellationToken);
}
