using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Retention;

/// <summary>The retention job's schedule must be a 6-field NCRONTAB expression; the budget's range is an attribute (<see cref="RetentionOptionsAttributes"/>).</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
        => TimerSchedule.Problem(AppSettingNames.RetentionSchedule, options.Schedule, RetentionOptions.DefaultSchedule) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}

/// <summary>The data annotations of <see cref="RetentionOptions"/> (the run budget's range), generated.</summary>
[OptionsValidator]
internal sealed partial class RetentionOptionsAttributes : IValidateOptions<RetentionOptions>;
