namespace IncidentFunctions.Operations;

/// <summary>
/// Where telemetry goes. Bound from the flat settings the Functions host and the Azure Monitor tooling already use
/// (<c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>, <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>), so one pair of
/// app settings serves both the host and the worker.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>Application Insights connection string; telemetry export is off when empty.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>Authorization=AAD</c> (system-assigned identity) or <c>Authorization=AAD;ClientId=&lt;guid&gt;</c>.</summary>
    public string? AuthenticationString { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);
}

/// <summary>How the exporter authenticates, parsed from <see cref="TelemetryOptions.AuthenticationString"/>.</summary>
/// <param name="UseEntraId">Send with an Entra ID token (required when Application Insights has local auth disabled).</param>
/// <param name="ClientId">User-assigned identity's client id; null for the system-assigned identity.</param>
public sealed record TelemetryAuthentication(bool UseEntraId, string? ClientId)
{
    public static readonly TelemetryAuthentication InstrumentationKey = new(false, null);

    /// <summary>Parses the documented format; null (with <paramref name="error"/>) when it cannot be used.</summary>
    public static TelemetryAuthentication? TryParse(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return InstrumentationKey;

        string? authorization = null;
        string? clientId = null;
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"'{part}' is not a key=value pair";
                return null;
            }

            var key = part[..eq].Trim();
            var item = part[(eq + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) authorization = item;
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase)) clientId = item;
            else
            {
                error = $"unknown key '{key}' (expected Authorization and ClientId)";
                return null;
            }
        }

        if (!string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            error = "it must contain 'Authorization=AAD'";
            return null;
        }

        if (clientId is not null && !Guid.TryParse(clientId, out _))
        {
            error = $"ClientId '{clientId}' is not a GUID";
            return null;
        }

        return new TelemetryAuthentication(true, clientId);
    }
}
