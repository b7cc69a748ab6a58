namespace IncidentFunctions.Wallarm;

/// <summary>Base of every failure talking to the Wallarm API. Messages never contain the API token.</summary>
public class WallarmException : Exception
{
    public WallarmException(string message) : base(message) { }

    public WallarmException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>401/403: the token is wrong, expired or lacks permissions. Not retried.</summary>
public sealed class WallarmAuthenticationException(int statusCode, string endpoint)
    : WallarmException(
        $"Wallarm rejected the API token with HTTP {statusCode} on {endpoint}. " +
        "Set 'Wallarm__ApiToken' to a valid, unexpired token whose role can read attacks and vulnerabilities " +
        "(Administrator, Analyst or Read Only), and check 'Wallarm__Cloud' names the cloud the token belongs to (US or EU).")
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>The API answered with an error status after retries, or an error envelope.</summary>
public sealed class WallarmApiException(int statusCode, string endpoint, string detail)
    : WallarmException($"Wallarm API {endpoint} failed with status {statusCode}: {detail}")
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>A response that cannot be trusted: invalid JSON, a wrong shape, missing fields, or a short result set.</summary>
public sealed class WallarmMalformedResponseException(string message, Exception? inner = null)
    : WallarmException(message, inner);
