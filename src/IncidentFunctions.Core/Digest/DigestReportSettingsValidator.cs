using IncidentFunctions.Channels;
using IncidentFunctions.Reports;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Digest;

/// <summary>
/// What the digest needs from the report settings, checked at start-up when any channel receives the digest: a
/// signing key for the shared link, a public base address to make it absolute, and a link lifetime the report
/// service accepts.
/// </summary>
internal sealed class DigestReportSettingsValidator(IOptions<ReportOptions> reports, IOptions<DeliveryOptions> delivery) : IValidateOptions<DigestOptions>
{
    public ValidateOptionsResult Validate(string? name, DigestOptions options)
    {
        bool anyDigestChannel;
        try
        {
            anyDigestChannel = delivery.Value.ChannelsForAnyDigest().Any();
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Success; // the channel settings' own validator names what is wrong with them
        }

        if (!anyDigestChannel) return ValidateOptionsResult.Success;
        var r = reports.Value;
        var failures = new List<string>();
        if (r.ActiveSigningKeyId is null || !r.SigningKeys.ContainsKey(r.ActiveSigningKeyId))
        {
            failures.Add("Digest channels are configured, so the digest links to the PDF with a signed link: set 'Reports__SigningKeys__<id>' to a base64 secret of at least 32 bytes and 'Reports__ActiveSigningKeyId' to that id.");
        }

        if (r.PublicBaseUrl is null)
        {
            failures.Add("Digest channels are configured, so report links must be absolute: set 'Reports__PublicBaseUrl' to the API's public address including the route prefix, e.g. 'https://func-x.azurewebsites.net/api/'.");
        }

        if (options.LinkValidity > r.MaxSignedLinkLifetime)
        {
            failures.Add($"Digest:LinkValidity ({options.LinkValidity}) is longer than Reports:MaxSignedLinkLifetime ({r.MaxSignedLinkLifetime}); shorten it or raise the maximum.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
