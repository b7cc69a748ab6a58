using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

/// <summary>Marker options: validating it checks the whole configuration for unresolved Key Vault references.</summary>
public sealed class KeyVaultReferenceCheck;

/// <summary>
/// In Azure, secret app settings are <c>@Microsoft.KeyVault(SecretUri=…)</c> references the platform replaces with the
/// secret. When it cannot (missing role, wrong identity, deleted secret) the app sees the reference text itself, which
/// would pass every "not empty" check and fail later and obscurely (a 401 from Wallarm). Fail start instead, naming it.
/// </summary>
internal sealed class KeyVaultReferenceValidator(IConfiguration configuration) : IValidateOptions<KeyVaultReferenceCheck>
{
    private const string Prefix = "@Microsoft.KeyVault(";

    public ValidateOptionsResult Validate(string? name, KeyVaultReferenceCheck options)
    {
        var unresolved = configuration.AsEnumerable()
            .Where(kv => kv.Value is { } value && value.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Select(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return unresolved.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(unresolved.Select(setting =>
                $"App setting '{setting}' is still a Key Vault reference: the platform could not resolve it. Check that the app's keyVaultReferenceIdentity has 'Key Vault Secrets User' on the vault and that the secret exists (portal: the app's Environment variables show the reference status), then restart the app."));
    }
}
