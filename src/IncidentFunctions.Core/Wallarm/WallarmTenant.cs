using Microsoft.Extensions.Options;

namespace IncidentFunctions.Wallarm;

/// <summary>The tenant id: configured, or asked of <c>/v1/user</c> once per process.</summary>
public sealed class WallarmTenant(IOptions<WallarmOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _discovered;

    public async Task<long> GetClientIdAsync(WallarmClient client, CancellationToken cancellationToken = default)
    {
        if (options.Value.ClientId is { } configured) return configured;
        if (_discovered is { } known) return known;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _discovered ??= await client.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Wallarm answers 403 both for a token that may not read and for a tenant the token does not belong to. When a
    /// tenant is configured, asks <c>/v1/user</c> (which needs no tenant) whose the token is: a valid token of another
    /// tenant means <c>Wallarm__ClientId</c> is wrong, and the returned exception says so. Otherwise the original.
    /// </summary>
    public async Task<WallarmException> ExplainForbiddenAsync(WallarmClient client, WallarmAuthenticationException forbidden, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(forbidden);
        if (forbidden.StatusCode != 403 || options.Value.ClientId is not { } configured) return forbidden;
        try
        {
            var tokenTenant = await client.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
            return tokenTenant != configured ? new WallarmTenantMismatchException(configured, tokenTenant, forbidden.Endpoint, forbidden) : forbidden;
        }
        catch (WallarmException)
        {
            // /v1/user refused the token too (or said nothing usable): the token is the problem, as first reported.
            return forbidden;
        }
    }

    public void Dispose() => _gate.Dispose();
}
