using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
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
            if (TelemetryAuthentication.TryParse(options.AuthenticationString, out var error) is null)
            {
                failures.Add($"{AppSettingNames.ApplicationInsightsAuthenticationString} cannot be used: {error}. Expected 'Authorization=AAD' or 'ClientId=<identity client id>;Authorization=AAD'.");
            }
            else if (!options.Enabled)
            {
                failures.Add($"{AppSettingNames.ApplicationInsightsAuthenticationString} is set but {AppSettingNames.ApplicationInsightsConnectionString} is empty: set both, or neither.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool HasInstrumentationKey(string connectionString)
        => connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Any(kv => kv.Length == 2 && kv[0].Equals("InstrumentationKey", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(kv[1], out _));
}
