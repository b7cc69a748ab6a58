using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Operations;

/// <summary>
/// host.json's <c>logging.logLevel</c> applied to the app's own logs, in both hosts: the Functions host filters its
/// logs with it, but not the worker's when the worker exports them itself (telemetry on), so the framework's four
/// information lines per outbound HTTP request (the shipped file lowers <c>System.Net.Http.HttpClient</c> to warnings)
/// reached Application Insights from every Wallarm page. The rules sit below every other setting: a
/// <c>Logging:LogLevel</c> setting for the same category wins, and a longer category still wins as always.
/// </summary>
public static class HostJsonLogLevels
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>
    /// The levels in the host.json at <paramref name="path"/>; none when the file is missing or unreadable, and an entry
    /// that is not a level's name is skipped (the Functions host, and the local runner's start, report those).
    /// </summary>
    public static IReadOnlyDictionary<string, LogLevel> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), Lenient);
            var levels = new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase);
            if (Property(document.RootElement, "logging") is { ValueKind: JsonValueKind.Object } logging
                && Property(logging, "logLevel") is { ValueKind: JsonValueKind.Object } logLevel)
            {
                foreach (var entry in logLevel.EnumerateObject())
                {
                    // An empty name would be a rule for every category, above "default".
                    if (entry.Name.Trim().Length > 0 && entry.Value.ValueKind == JsonValueKind.String && Parse(entry.Value.GetString()) is { } level) levels[entry.Name] = level;
                }
            }

            return levels;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new Dictionary<string, LogLevel>();
        }
    }

    /// <summary>A level's name in any case, as logging configuration reads it; null for anything else (numbers too).</summary>
    public static LogLevel? Parse(string? text)
        => Enum.GetNames<LogLevel>().FirstOrDefault(n => string.Equals(n, text?.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name ? Enum.Parse<LogLevel>(name) : null;

    /// <summary>Filters the host's logs by <paramref name="levels"/>, below every other setting (see the class).</summary>
    public static IServiceCollection AddHostJsonLogLevels(this IServiceCollection services, IReadOnlyDictionary<string, LogLevel> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count > 0) services.Configure<LoggerFilterOptions>(options => ApplyBelowOtherSettings(levels, options));
        return services;
    }

    /// <summary>
    /// Puts the rules first, so a rule for the same category from configuration (added before) wins. <c>default</c> is
    /// skipped when the host chose its own minimum before (the demo's warnings only, a test's debug).
    /// </summary>
    internal static void ApplyBelowOtherSettings(IReadOnlyDictionary<string, LogLevel> levels, LoggerFilterOptions options)
    {
        var index = 0;
        foreach (var (category, level) in levels)
        {
            var isDefault = string.Equals(category, "default", StringComparison.OrdinalIgnoreCase);
            if (isDefault && options.MinLevel != LogLevel.Information) continue;
            options.Rules.Insert(index++, new LoggerFilterRule(providerName: null, isDefault ? null : category, level, filter: null));
        }
    }

    private static JsonElement? Property(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object
            && element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: not JsonValueKind.Undefined } found
                ? found.Value
                : null;
}
