using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Alerts;

/// <summary>The schedule and the maximum age; ranges are attributes (<see cref="AlertOptionsAttributes"/>). Messages name the setting to fix.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        if (TimerSchedule.Problem(AppSettingNames.AlertsSchedule, options.Schedule, "5 * * * * *") is { } schedule) failures.Add(schedule);

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
