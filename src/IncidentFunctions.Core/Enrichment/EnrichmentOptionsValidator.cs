using System.Text.RegularExpressions;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment.Intel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Enrichment;

/// <summary>Fails start-up with messages that name the setting to fix.</summary>
internal sealed partial class EnrichmentOptionsValidator : IValidateOptions<EnrichmentOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichmentOptions options)
    {
        var failures = new List<string>();
        if (options.CacheTtl <= TimeSpan.Zero) failures.Add($"Enrichment:CacheTtl must be positive; got {options.CacheTtl}.");
        if (options.TorTolerance < TimeSpan.Zero) failures.Add($"Enrichment:TorTolerance must not be negative; got {options.TorTolerance}.");
        if (options.TorHistory < TimeSpan.Zero) failures.Add($"Enrichment:TorHistory must not be negative; got {options.TorHistory}.");
        if (options.StaleAfter < TimeSpan.FromDays(1) || options.StaleAfter.Ticks % TimeSpan.TicksPerDay != 0)
        {
            failures.Add($"Enrichment:StaleAfter must be a whole number of days, at least one (e.g. 30.00:00:00); got {options.StaleAfter}.");
        }
        if (TimerSchedule.Problem(AppSettingNames.RefreshIntelSchedule, options.RefreshSchedule, EnrichmentOptions.DefaultRefreshSchedule) is { } schedule) failures.Add(schedule);

        if (!ContainerName().IsMatch(options.SnapshotContainer) || options.SnapshotContainer.Contains("--", StringComparison.Ordinal))
        {
            failures.Add($"Enrichment:SnapshotContainer '{options.SnapshotContainer}' must be 3–63 lowercase letters, digits or single hyphens.");
        }

        if (options.SnapshotCheckInterval < TimeSpan.Zero) failures.Add($"Enrichment:SnapshotCheckInterval must not be negative; got {options.SnapshotCheckInterval}.");
        if (options.DownloadTimeout <= TimeSpan.Zero) failures.Add($"Enrichment:DownloadTimeout must be positive; got {options.DownloadTimeout}.");
        if (options.MemoryCacheSize < 0) failures.Add($"Enrichment:MemoryCacheSize must not be negative; got {options.MemoryCacheSize}.");
        if (options.SimulatorFeeds is { } sim && !IsHttp(sim)) failures.Add($"Enrichment:SimulatorFeeds must be an absolute http(s) URL; got '{sim}'.");

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            var key = $"Enrichment:Sources:{i}";
            if (!SourceName().IsMatch(s.Name)) failures.Add($"{key}:Name '{s.Name}' must be 1–63 lowercase letters, digits, '.', '_' or '-' (it labels provenance and malicious lists).");
            else if (!names.Add(s.Name)) failures.Add($"{key}:Name '{s.Name}' is used by another source; names must be unique.");
            if (!Enum.IsDefined(s.Type)) failures.Add($"{key}:Type '{s.Type}' is not one of {string.Join(", ", Enum.GetNames<IntelSourceType>())}.");
            if ((s.Url is null) == string.IsNullOrWhiteSpace(s.Path))
            {
                failures.Add($"{key}: set exactly one of {key}:Url and {key}:Path.");
            }
            else if (s.Url is not null && !IsHttp(s.Url))
            {
                failures.Add($"{key}:Url must be an absolute http(s) URL; got '{s.Url}'.");
            }
            else if (s.Path is { } path && s.Enabled && !s.Optional && IntelPaths.Resolve(path) is null)
            {
                failures.Add($"{key}:Path '{path}' does not exist (relative paths are looked up from the app folder and its parents; for the npm data run 'npm ci' at the repository root).");
            }

            if (s.MinEntries < 0) failures.Add($"{key}:MinEntries must not be negative; got {s.MinEntries}.");
            if (s.MaxBytes <= 0) failures.Add($"{key}:MaxBytes must be positive; got {s.MaxBytes}.");
            if (!Enum.IsDefined(s.Category)) failures.Add($"{key}:Category '{s.Category}' is not one of {string.Join(", ", Enum.GetNames<IntelListCategory>())}.");
        }

        var lists = IntelSourcePresets.Effective(options).Count(s => s.Type is IntelSourceType.IpList or IntelSourceType.SpamhausDropJson);
        if (lists > 64) failures.Add($"Enrichment:Sources has {lists} list sources (IpList, SpamhausDropJson); at most 64 are supported.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex SourceName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}

/// <summary>The data annotations of <see cref="EnrichmentOptions"/> (ranges), generated.</summary>
[OptionsValidator]
internal sealed partial class EnrichmentOptionsAttributes : IValidateOptions<EnrichmentOptions>;
