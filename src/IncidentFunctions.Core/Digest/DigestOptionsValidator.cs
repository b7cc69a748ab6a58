using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;
using NCrontab;
using NodaTime;
using NodaTime.Text;

namespace IncidentFunctions.Digest;

/// <summary>Fails start-up with messages that name the setting to fix. The channels are checked by DeliveryOptionsValidator.</summary>
internal sealed class DigestOptionsValidator : IValidateOptions<DigestOptions>
{
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool TryParseSendTime(string? text, out LocalTime time)
    {
        var result = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(text?.Trim() ?? "");
        time = result.Success ? result.Value : default;
        return result.Success;
    }

}
