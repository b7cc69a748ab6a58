using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;
using NCrontab;

namespace IncidentFunctions.Alerts;

/// <summary>Fails start-up with messages that name the setting to fix.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.Schedule ?? "", new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"{AppSettingNames.AlertsSchedule} '{options.Schedule}' is not a 6-field NCRONTAB expression (seconds first, UTC), e.g. '5 * * * * *'.");
        }

        if (options.MaxPerInterval is < 1 or > 100)
        {
            failures.Add($"Digest:Alerts:MaxPerInterval must be between 1 and 100; got {options.MaxPerInterval}.");
        }

        if (options.Interval < TimeSpan.FromMinutes(1) || options.Interval > TimeSpan.FromDays(1))
        {
            failures.Add($"Digest:Alerts:Interval must be between 00:01:00 and 1.00:00:00; got {options.Interval}.");
        }

        if (options.MaxAge <= TimeSpan.Zero)
        {
            failures.Add($"Digest:Alerts:MaxAge must be positive; got {options.MaxAge}.");
        }

        if (options.RollupListed is < 0 or > 20)
        {
            failures.Add($"Digest:Alerts:RollupListed must be between 0 and 20; got {options.RollupListed}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
