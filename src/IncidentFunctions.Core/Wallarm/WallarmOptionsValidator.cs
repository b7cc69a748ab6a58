using Microsoft.Extensions.Options;

namespace IncidentFunctions.Wallarm;

/// <summary>Fails start-up with messages that name the setting to fix.</summary>
internal sealed class WallarmOptionsValidator : IValidateOptions<WallarmOptions>
{
    public ValidateOptionsResult Validate(string? name, WallarmOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiToken))
        {
            failures.Add("Wallarm:ApiToken is empty. Set the app setting 'Wallarm__ApiToken' to a Wallarm API token with read access to attacks and vulnerabilities.");
        }
        else if (options.ApiToken.Any(char.IsControl) || options.ApiToken.Trim() != options.ApiToken)
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

        if (options.PageSize is < 1 or > 1000)
        {
            failures.Add($"Wallarm:PageSize must be between 1 and 1000; got {options.PageSize}.");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"Wallarm:MaxRetries must be between 0 and 20; got {options.MaxRetries}.");
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
