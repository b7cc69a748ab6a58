using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Channels;

/// <summary>Fails start-up with messages that name the setting to fix. Never echoes a webhook URL or secret.</summary>
internal sealed partial class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    internal const int MinSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var failures = new List<string>();
        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Digest:RetryBaseDelay must be non-negative and no longer than Digest:RetryMaxDelay.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.TotalTimeout < options.AttemptTimeout || options.TotalTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Digest:AttemptTimeout must be positive and no longer than Digest:TotalTimeout, which is at most 10 minutes.");
        }

        ValidateChannels(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateChannels(DeliveryOptions options, List<string> failures)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Channels.Count; i++)
        {
            var c = options.Channels[i];
            var at = $"Digest:Channels:{i}";
            if (c is null)
            {
                failures.Add($"{at} is empty.");
                continue;
            }

            if (!ChannelName().IsMatch(c.Name ?? ""))
            {
                failures.Add($"{at}:Name '{c.Name}' must be 1–40 lowercase letters, digits, '-' or '_' (it keys the delivery ledger).");
            }
            else if (!names.Add(c.Name!))
            {
                failures.Add($"{at}:Name '{c.Name}' is used by another channel; names must be unique.");
            }

            if (!Enum.IsDefined(c.Kind))
            {
                failures.Add($"{at}:Kind must be Slack, Teams, Discord or Generic.");
            }

            // The URL is a secret: say what is wrong with it, never what it is.
            if (c.Url is null || !c.Url.IsAbsoluteUri)
            {
                failures.Add($"{at}:Url (channel '{c.Name}') must be the absolute webhook URL. Set 'Digest__Channels__{i}__Url' (from Key Vault).");
            }
            else if (c.Url.Scheme != Uri.UriSchemeHttps && !(c.Url.Scheme == Uri.UriSchemeHttp && c.Url.IsLoopback))
            {
                failures.Add($"{at}:Url (channel '{c.Name}') must use https (plain http only to localhost).");
            }
            else if (!string.IsNullOrEmpty(c.Url.UserInfo))
            {
                failures.Add($"{at}:Url (channel '{c.Name}') must not carry user:password credentials.");
            }

            if (c.Kind == ChannelKind.Generic && (string.IsNullOrWhiteSpace(c.Secret) || c.Secret.Trim().Length < MinSecretLength))
            {
                failures.Add($"{at}:Secret (channel '{c.Name}') must be at least {MinSecretLength} characters for a Generic channel: receivers verify the HMAC-SHA256 signature with it (e.g. `openssl rand -base64 32`).");
            }

            if (c.Generation < 0)
            {
                failures.Add($"{at}:Generation (channel '{c.Name}') must not be negative.");
            }

            if (!c.Digest && !c.Alerts)
            {
                failures.Add($"{at} (channel '{c.Name}') receives neither the digest nor alerts; set Digest or Alerts to true, or remove it.");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex ChannelName();
}

/// <summary>The data annotations of <see cref="DeliveryOptions"/> (retries, automatic disabling), generated.</summary>
[OptionsValidator]
internal sealed partial class DeliveryOptionsAttributes : IValidateOptions<DeliveryOptions>;
