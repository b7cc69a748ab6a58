using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;
using NCrontab;

namespace IncidentFunctions.Alerts;

/// <summary>The schedule and the maximum age; ranges are attributes (<see cref="AlertOptionsAttributes"/>). Messages name the setting to fix.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.Schedule ?? "", new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"{AppSettingNames.AlertsSchedule} '{options.Schedule}' is not a 6-field NCRONTAB expression (seconds first, UTC), e.g. '5 * * * * *'.");
        }

        if (options.MaxAge <= TimeSpan.Zero)
        {
            failures.Add($"Digest:Alerts:MaxAge must be positive; got {options.MaxAge}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The data annotations of <see cref="AlertOptions"/> (ranges), generated.</summary>
[OptionsValidator]
internal sealed partial class AlertOptionsAttributes : IValidateOptions<AlertOptions>;
