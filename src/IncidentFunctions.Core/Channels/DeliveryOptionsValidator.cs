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
                failures.Add($"{at}:Kind must be Slack, Teams, Discord, Generic or Email.");
            }

            if (c.Generation < 0)
            {
                failures.Add($"{at}:Generation (channel '{c.Name}') must not be negative.");
            }

            if (!c.Digest && !c.Weekly && !c.Monthly && !c.Alerts)
            {
                failures.Add($"{at} (channel '{c.Name}') receives neither a digest nor alerts; set Digest, Weekly, Monthly or Alerts to true, or remove it.");
            }

            if (c.Kind == ChannelKind.Email)
            {
                ValidateEmail(c, at, i, options, failures);
                continue;
            }

            if (c.Email is not null)
            {
                failures.Add($"{at} (channel '{c.Name}') has Email settings but Kind {c.Kind}: set 'Digest__Channels__{i}__Kind' to Email, or remove the Email settings.");
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
        }
    }

    /// <summary>
    /// An Email channel: a server, a sender and at least one recipient, every address parseable and free of line
    /// breaks (they end up in headers). Never echoes the password.
    /// </summary>
    private static void ValidateEmail(ChannelOptions c, string at, int i, DeliveryOptions options, List<string> failures)
    {
        var e = c.Email;
        var setting = $"Digest__Channels__{i}__Email__";
        if (e is null)
        {
            failures.Add($"{at}:Email (channel '{c.Name}') is missing: an Email channel needs at least {setting}Host, {setting}From and {setting}To.");
            return;
        }

        if (c.Url is not null)
        {
            failures.Add($"{at}:Url (channel '{c.Name}') is not used by an Email channel; remove it (the server is {setting}Host).");
        }

        if (c.Alerts)
        {
            failures.Add($"{at}:Alerts (channel '{c.Name}'): an Email channel receives the digest only; set it to false (real-time alerts go to chat channels).");
        }

        if (!EmailAddresses.TryParseHost(e.Host))
        {
            failures.Add($"{at}:Email:Host (channel '{c.Name}') must be the SMTP server's host name or IP address, e.g. 'smtp.azurecomm.net'. Set '{setting}Host'.");
        }
        else if (e.Security == SmtpSecurity.None && !EmailOptions.IsLoopbackHost(e.Host))
        {
            failures.Add($"{at}:Email:Security (channel '{c.Name}') is None, which is allowed only for a server on this machine (localhost); use StartTls (port 587) or SslOnConnect (port 465) for '{e.Host}'.");
        }

        if (!Enum.IsDefined(e.Security))
        {
            failures.Add($"{at}:Email:Security (channel '{c.Name}') must be StartTls, SslOnConnect or None (localhost only).");
        }

        if (e.Port is < 1 or > 65535)
        {
            failures.Add($"{at}:Email:Port (channel '{c.Name}') must be between 1 and 65535; got {e.Port}.");
        }

        if (!EmailAddresses.TryParseMailbox(e.From, out _))
        {
            failures.Add($"{at}:Email:From (channel '{c.Name}') must be one email address such as 'incidents@example.com'. Set '{setting}From'.");
        }

        if (e.FromName is null || e.FromName.Length > 100 || e.FromName.Any(char.IsControl))
        {
            failures.Add($"{at}:Email:FromName (channel '{c.Name}') must be at most 100 characters without line breaks or control characters.");
        }

        var recipients = 0;
        foreach (var (field, value) in new[] { ("To", e.To), ("Cc", e.Cc), ("Bcc", e.Bcc) })
        {
            if (!EmailAddresses.TryParseList(value, out var list))
            {
                failures.Add($"{at}:Email:{field} (channel '{c.Name}') must be a comma-separated list of email addresses such as 'soc@example.com, \"Lead\" <lead@example.com>'.");
                continue;
            }

            recipients += list.Count;
        }

        if (recipients == 0)
        {
            failures.Add($"{at}:Email:To (channel '{c.Name}') names no recipient: set '{setting}To' (or Cc/Bcc) to at least one address.");
        }
        else if (recipients > EmailAddresses.MaxRecipients)
        {
            failures.Add($"{at}:Email (channel '{c.Name}') names {recipients} recipients; at most {EmailAddresses.MaxRecipients} (use a distribution list).");
        }

        if (string.IsNullOrWhiteSpace(e.UserName) != string.IsNullOrEmpty(e.Password))
        {
            failures.Add($"{at}:Email (channel '{c.Name}'): set both {setting}UserName and {setting}Password (from Key Vault), or neither for a relay without authentication.");
        }

        if (e.MaxAttachmentBytes is < 0 or > 25 * 1024 * 1024)
        {
            failures.Add($"{at}:Email:MaxAttachmentBytes (channel '{c.Name}') must be between 0 (never attach) and 26214400 (25 MiB); got {e.MaxAttachmentBytes}.");
        }

        if (e.Timeout <= TimeSpan.Zero || e.Timeout > options.TotalTimeout)
        {
            failures.Add($"{at}:Email:Timeout (channel '{c.Name}') must be positive and no longer than Digest:TotalTimeout ({options.TotalTimeout}); got {e.Timeout}.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex ChannelName();
}

/// <summary>The data annotations of <see cref="DeliveryOptions"/> (retries, automatic disabling), generated.</summary>
[OptionsValidator]
internal sealed partial class DeliveryOptionsAttributes : IValidateOptions<DeliveryOptions>;
