using Microsoft.Extensions.Options;
using NCrontab;

namespace IncidentFunctions.Incidents;

internal sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"PULL_INCIDENTS_SCHEDULE '{options.Schedule}' is not a 6-field NCRONTAB expression (seconds first, UTC), e.g. '0 */5 * * * *'.");
        }

        if (options.Overlap < TimeSpan.Zero || options.Overlap > TimeSpan.FromDays(1))
            failures.Add($"Ingestion:Overlap must be between 0 and 1 day; got {options.Overlap}.");
        if (options.InitialLookback <= TimeSpan.Zero || options.InitialLookback > options.MaxCatchUp)
            failures.Add($"Ingestion:InitialLookback must be positive and no longer than Ingestion:MaxCatchUp ({options.MaxCatchUp}); got {options.InitialLookback}.");
        if (options.MaxCatchUp > TimeSpan.FromDays(183))
            failures.Add("Ingestion:MaxCatchUp must be at most 183 days: the Wallarm API answers for 6 months at most.");
        if (options.WindowSize < TimeSpan.FromMinutes(1))
            failures.Add($"Ingestion:WindowSize must be at least one minute; got {options.WindowSize}.");
        if (options.RunBudget <= TimeSpan.Zero)
            failures.Add($"Ingestion:RunBudget must be positive; got {options.RunBudget}.");
        if (options.MaxDaysPerIncident is < 1 or > 400)
            failures.Add($"Ingestion:MaxDaysPerIncident must be between 1 and 400; got {options.MaxDaysPerIncident}.");
        if (options.VulnerabilityRefreshInterval < TimeSpan.Zero)
            failures.Add("Ingestion:VulnerabilityRefreshInterval must not be negative.");
        if (options.OngoingHorizon < TimeSpan.Zero || options.OngoingHorizon > TimeSpan.FromDays(7))
            failures.Add($"Ingestion:OngoingHorizon must be between 0 (off) and 7 days; got {options.OngoingHorizon}.");
        if (options.WriteParallelism is < 1 or > 64)
            failures.Add($"Ingestion:WriteParallelism must be between 1 and 64; got {options.WriteParallelism}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
