using Microsoft.Extensions.Options;

namespace IncidentFunctions.Wallarm;

/// <summary>
/// What the attributes of <see cref="WallarmOptions"/> cannot say (checked by <see cref="WallarmOptionsAttributes"/>):
/// the token's form, the cloud, the tenant id and the timeouts and delays against each other. Messages name the setting.
/// </summary>
internal sealed class WallarmOptionsValidator : IValidateOptions<WallarmOptions>
{
    public ValidateOptionsResult Validate(string? name, WallarmOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ApiToken) && (options.ApiToken.Any(char.IsControl) || options.ApiToken.Trim() != options.ApiToken))
        {
            failures.Add("Wallarm:ApiToken contains whitespace or control characters; paste the token exactly as the Wallarm Console shows it.");
        }

        if (options.ResolveApiBaseAddress() is null)
        {
            failures.Add($"Wallarm:Cloud must be 'US', 'EU' or an absolute http(s) URL of the API; got '{options.Cloud}'.");
        }

        if (options.ClientId is <= 0)
        {
            failures.Add($"Wallarm:ClientId must be a positive tenant id, or left empty to discover it; got {options.ClientId}.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.TotalTimeout < options.AttemptTimeout)
        {
            failures.Add("Wallarm:AttemptTimeout must be positive and no longer than Wallarm:TotalTimeout.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Wallarm:RetryBaseDelay must be non-negative and no longer than Wallarm:RetryMaxDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The data annotations of <see cref="WallarmOptions"/> (ranges, the required token), generated.</summary>
[OptionsValidator]
internal sealed partial class WallarmOptionsAttributes : IValidateOptions<WallarmOptions>;
