using System.Globalization;

namespace IncidentFunctions.Wallarm;

/// <summary>Base of every failure talking to the Wallarm API. Messages never contain the API token.</summary>
public class WallarmException : Exception
{
    public WallarmException(string message) : base(message) { }

    public WallarmException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>The app setting an operator most likely has to change, when the failure points at one.</summary>
    public virtual string? Setting => null;
}

/// <summary>401/403: the token is wrong, expired or lacks permissions. Not retried.</summary>
public sealed class WallarmAuthenticationException(int statusCode, string endpoint)
    : WallarmException(
        $"Wallarm rejected the API token with HTTP {statusCode} on {endpoint}. " +
        "Set 'Wallarm__ApiToken' to a valid, unexpired token whose role can read attacks and vulnerabilities " +
        "(Administrator, Analyst or Read Only), and check 'Wallarm__Cloud' names the cloud the token belongs to (US or EU).")
{
    public int StatusCode { get; } = statusCode;

    public string Endpoint { get; } = endpoint;

    public override string? Setting => "Wallarm__ApiToken";
}

/// <summary>
/// 403 for the configured tenant while the token itself is valid (<c>/v1/user</c> answers) for another tenant:
/// <c>Wallarm__ClientId</c> is wrong, not the token.
/// </summary>
public sealed class WallarmTenantMismatchException(long configured, long tokenTenant, string endpoint, Exception? inner = null)
    : WallarmException(
        string.Create(CultureInfo.InvariantCulture,
            $"Wallarm refused tenant {configured} with HTTP 403 on {endpoint}, but the API token is valid and belongs to tenant {tokenTenant}. " +
            $"Set 'Wallarm__ClientId' to {tokenTenant}, or leave it empty to take the tenant from the token."),
        inner)
{
    public long ConfiguredClientId { get; } = configured;

    public long TokenClientId { get; } = tokenTenant;

    public override string? Setting => "Wallarm__ClientId";
}

/// <summary>The API answered with an error status after retries, or an error envelope.</summary>
public sealed class WallarmApiException(int statusCode, string endpoint, string detail)
    : WallarmException($"Wallarm API {endpoint} failed with status {statusCode}: {detail}")
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// A window whose pages keep holding fewer incidents than Wallarm counts for it, also read as small windows. Names
/// <c>Wallarm__VerifyCounts</c>: when the count itself is what disagrees, turning the check off takes what the pages hold.
/// </summary>
public sealed class WallarmCountMismatchException(string message) : WallarmException(message)
{
    public override string? Setting => "Wallarm__VerifyCounts";
}

/// <summary>A response that cannot be trusted: not JSON, cut off, a wrong shape, or a short result set.</summary>
public sealed class WallarmMalformedResponseException(string message, Exception? inner = null)
    : WallarmException(message, inner);
