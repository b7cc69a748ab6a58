using System.Text.RegularExpressions;
using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Reports;

/// <summary>Signing keys, link lifetimes against each other, the public address, the non-negative spans and the CSV snapshot job's schedule and look-back; lengths and ranges are attributes (<see cref="ReportOptionsAttributes"/>).</summary>
internal sealed partial class ReportOptionsValidator : IValidateOptions<ReportOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Layout))
        {
            failures.Add($"Reports:Layout must be Compact or Detailed; got {(int)options.Layout}.");
        }

        if (options.OngoingWindow < TimeSpan.Zero || options.CacheRevalidateAfter < TimeSpan.Zero)
        {
            failures.Add("Reports:OngoingWindow and Reports:CacheRevalidateAfter must not be negative.");
        }

        foreach (var (kid, secret) in options.SigningKeys)
        {
            if (!KeyId().IsMatch(kid))
            {
                failures.Add($"Reports:SigningKeys key id '{kid}' must be 1–32 letters, digits, '-' or '_'.");
            }

            if (!TryDecodeKey(secret, out var bytes) || bytes.Length < 32)
            {
                failures.Add($"Reports:SigningKeys:{kid} must be a base64 secret of at least 32 bytes (e.g. `openssl rand -base64 32`).");
            }
        }

        if (options.SigningKeys.Count > 0 && (options.ActiveSigningKeyId is null || !options.SigningKeys.ContainsKey(options.ActiveSigningKeyId)))
        {
            failures.Add($"Reports:ActiveSigningKeyId '{options.ActiveSigningKeyId}' must name one of Reports:SigningKeys ({string.Join(", ", options.SigningKeys.Keys)}).");
        }
        else if (options.SigningKeys.Count == 0 && !string.IsNullOrEmpty(options.ActiveSigningKeyId))
        {
            // An id without its key (left out of the settings): no link could be signed, and nothing said so.
            failures.Add($"Reports:ActiveSigningKeyId '{options.ActiveSigningKeyId}' names a signing key, but Reports:SigningKeys:{options.ActiveSigningKeyId} (app setting Reports__SigningKeys__{options.ActiveSigningKeyId}) is not set; set it, or leave the id empty to serve reports with function keys only.");
        }

        if (options.SignedLinkLifetime <= TimeSpan.Zero || options.MaxSignedLinkLifetime < options.SignedLinkLifetime)
        {
            failures.Add("Reports:SignedLinkLifetime must be positive and no longer than Reports:MaxSignedLinkLifetime.");
        }

        if (options.PublicBaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"Reports:PublicBaseUrl must be an absolute http(s) URL ending with the route prefix, e.g. 'https://func-x.azurewebsites.net/api/'; got '{url}'.");
        }

        if (TimerSchedule.Problem(AppSettingNames.CsvSnapshotsSchedule, options.CsvSnapshotSchedule, ReportOptions.DefaultCsvSnapshotSchedule) is { } schedule) failures.Add(schedule);

        if (options.CsvSnapshotLookBackDays < 0 || options.CsvSnapshotLookBackDays > options.RetentionDays)
        {
            failures.Add($"Reports:CsvSnapshotLookBackDays must be from 0 (off) to Reports:RetentionDays ({options.RetentionDays}); got {options.CsvSnapshotLookBackDays}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool TryDecodeKey(string? secret, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(secret)) return false;
        try
        {
            bytes = Convert.FromBase64String(secret.Trim());
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyId();
}

/// <summary>The data annotations of <see cref="ReportOptions"/> (title and company lengths, ranges), generated.</summary>
[OptionsValidator]
internal sealed partial class ReportOptionsAttributes : IValidateOptions<ReportOptions>;
