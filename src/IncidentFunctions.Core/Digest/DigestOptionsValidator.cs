using System.Globalization;
using System.Text.RegularExpressions;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.Options;
using NCrontab;
using NodaTime;
using NodaTime.Text;

namespace IncidentFunctions.Digest;

/// <summary>Fails start-up with messages that name the setting to fix. Never echoes a webhook URL or secret.</summary>
internal sealed partial class DigestOptionsValidator : IValidateOptions<DigestOptions>
{
    internal const int MinSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, DigestOptions options)
    {
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.Schedule ?? "", new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"{AppSettingNames.DailyDigestSchedule} '{options.Schedule}' is not a 6-field NCRONTAB expression (seconds first, UTC), e.g. '0 */15 * * * *'.");
        }

        if (string.IsNullOrWhiteSpace(options.Title) || options.Title.Length > 120)
        {
            failures.Add("Digest:Title must be 1–120 characters.");
        }

        if (!TryParseSendTime(options.SendTime, out _))
        {
            failures.Add($"Digest:SendTime '{options.SendTime}' must be a local time of day as HH:mm (24-hour, report time zone), e.g. '08:00'. Set 'Digest__SendTime'.");
        }

        if (options.CatchUpDays is < 1 or > 14)
        {
            failures.Add($"Digest:CatchUpDays must be between 1 (yesterday only) and 14; got {options.CatchUpDays}.");
        }

        if (options.LinkValidity <= TimeSpan.Zero || options.LinkValidity > TimeSpan.FromDays(30))
        {
            failures.Add($"Digest:LinkValidity must be positive and at most 30 days (and within Reports:MaxSignedLinkLifetime); got {options.LinkValidity}.");
        }

        if (options.TopIncidents is < 1 or > 25)
        {
            failures.Add($"Digest:TopIncidents must be between 1 and 25; got {options.TopIncidents}.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"Digest:MaxRetries must be between 0 and 10; got {options.MaxRetries}.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Digest:RetryBaseDelay must be non-negative and no longer than Digest:RetryMaxDelay.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.TotalTimeout < options.AttemptTimeout || options.TotalTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Digest:AttemptTimeout must be positive and no longer than Digest:TotalTimeout, which is at most 10 minutes.");
        }

        var a = options.AutoDisable;
        if (a.FailureRate is <= 0 or > 1 || double.IsNaN(a.FailureRate))
        {
            failures.Add($"Digest:AutoDisable:FailureRate must be greater than 0 and at most 1 (e.g. 0.6 for 60 %); got {a.FailureRate.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (a.Window <= TimeSpan.Zero || a.Window > TimeSpan.FromDays(7))
        {
            failures.Add($"Digest:AutoDisable:Window must be positive and at most 7 days; got {a.Window}.");
        }

        if (a.MinDeliveries is < 1 or > 1000)
        {
            failures.Add($"Digest:AutoDisable:MinDeliveries must be between 1 and 1000; got {a.MinDeliveries}.");
        }

        var alerts = options.Alerts;
        if (alerts.MaxPerInterval is < 1 or > 100)
        {
            failures.Add($"Digest:Alerts:MaxPerInterval must be between 1 and 100; got {alerts.MaxPerInterval}.");
        }

        if (alerts.Interval < TimeSpan.FromMinutes(1) || alerts.Interval > TimeSpan.FromDays(1))
        {
            failures.Add($"Digest:Alerts:Interval must be between 00:01:00 and 1.00:00:00; got {alerts.Interval}.");
        }

        if (alerts.MaxAge <= TimeSpan.Zero)
        {
            failures.Add($"Digest:Alerts:MaxAge must be positive; got {alerts.MaxAge}.");
        }

        if (alerts.RollupListed is < 0 or > 20)
        {
            failures.Add($"Digest:Alerts:RollupListed must be between 0 and 20; got {alerts.RollupListed}.");
        }

        ValidateChannels(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateChannels(DigestOptions options, List<string> failures)
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

    internal static bool TryParseSendTime(string? text, out LocalTime time)
    {
        var result = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(text?.Trim() ?? "");
        time = result.Success ? result.Value : default;
        return result.Success;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex ChannelName();
}
