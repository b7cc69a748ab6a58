using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

internal sealed class TelemetryOptionsValidator(IOptions<StorageOptions> storage, IConfiguration configuration) : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled && !HasInstrumentationKey(options.ConnectionString!))
        {
            failures.Add($"{AppSettingNames.ApplicationInsightsConnectionString} has no 'InstrumentationKey=<guid>'; copy the connection string from the Application Insights resource, or leave it empty to export nothing.");
        }

        if (!string.IsNullOrWhiteSpace(options.AuthenticationString))
        {
            var authentication = TelemetryAuthentication.TryParse(options.AuthenticationString, out var error);
            if (authentication is null)
            {
                failures.Add($"{AppSettingNames.ApplicationInsightsAuthenticationString} cannot be used: {error}. Expected 'Authorization=AAD' or 'ClientId=<identity client id>;Authorization=AAD'.");
            }
            else if (authentication.ClientId is { } telemetryIdentity && AppIdentity() is { } appIdentity
                     && !string.Equals(telemetryIdentity, appIdentity, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{AppSettingNames.ApplicationInsightsAuthenticationString} names the identity {telemetryIdentity}, but the app's credential (storage and telemetry) uses {appIdentity} from 'Storage__ManagedIdentityClientId' or {AppSettingNames.AzureClientId}: the app has one credential, so give both the same client id.");
            }
            else if (!options.Enabled)
            {
                failures.Add($"{AppSettingNames.ApplicationInsightsAuthenticationString} is set but {AppSettingNames.ApplicationInsightsConnectionString} is empty: set both, or neither.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The user-assigned identity the app's credential uses; null when unknown (storage settings that fail their own validation).</summary>
    private string? AppIdentity()
    {
        try
        {
            return StorageServiceCollectionExtensions.ManagedIdentityClientId(storage.Value, configuration);
        }
        catch (OptionsValidationException)
        {
            return null; // StorageOptionsValidator reports those.
        }
    }

    internal static bool HasInstrumentationKey(string connectionString)
        => connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Any(kv => kv.Length == 2 && kv[0].Equals("InstrumentationKey", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(kv[1], out _));
}
