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

    public void Dispose() => _gate.Dispose();
}
