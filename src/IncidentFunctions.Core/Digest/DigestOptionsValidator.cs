using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;

namespace IncidentFunctions.Digest;

/// <summary>
/// The schedule and the send time's format; ranges and lengths are attributes (<see cref="DigestOptionsAttributes"/>), the
/// channels are checked by DeliveryOptionsValidator. Messages name the setting to fix.
/// </summary>
internal sealed class DigestOptionsValidator : IValidateOptions<DigestOptions>
{
    public ValidateOptionsResult Validate(string? name, DigestOptions options)
    {
        var failures = new List<string>();
        if (TimerSchedule.Problem(AppSettingNames.DailyDigestSchedule, options.Schedule, "0 */15 * * * *") is { } schedule) failures.Add(schedule);

        if (!TryParseSendTime(options.SendTime, out _))
        {
            failures.Add($"Digest:SendTime '{options.SendTime}' must be a local time of day as HH:mm (24-hour, report time zone), e.g. '08:00'. Set 'Digest__SendTime'.");
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

/// <summary>The data annotations of <see cref="DigestOptions"/> (title length, ranges), generated.</summary>
[OptionsValidator]
internal sealed partial class DigestOptionsAttributes : IValidateOptions<DigestOptions>;
