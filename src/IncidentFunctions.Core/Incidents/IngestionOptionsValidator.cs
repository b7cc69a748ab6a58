using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Incidents;

/// <summary>The schedule and the one-sided and cross-field limits; ranges are attributes (<see cref="IngestionOptionsAttributes"/>).</summary>
internal sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var failures = new List<string>();
        if (TimerSchedule.Problem(AppSettingNames.PullIncidentsSchedule, options.Schedule, "0 */5 * * * *") is { } schedule) failures.Add(schedule);

        if (options.InitialLookback <= TimeSpan.Zero || options.InitialLookback > options.MaxCatchUp)
            failures.Add($"Ingestion:InitialLookback must be positive and no longer than Ingestion:MaxCatchUp ({options.MaxCatchUp}); got {options.InitialLookback}.");
        if (options.WindowSize < TimeSpan.FromMinutes(1))
            failures.Add($"Ingestion:WindowSize must be at least one minute; got {options.WindowSize}.");
        if (options.RunBudget <= TimeSpan.Zero)
            failures.Add($"Ingestion:RunBudget must be positive; got {options.RunBudget}.");
        if (options.VulnerabilityRefreshInterval < TimeSpan.Zero)
            failures.Add("Ingestion:VulnerabilityRefreshInterval must not be negative.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The data annotations of <see cref="IngestionOptions"/> (ranges), generated.</summary>
[OptionsValidator]
internal sealed partial class IngestionOptionsAttributes : IValidateOptions<IngestionOptions>;
