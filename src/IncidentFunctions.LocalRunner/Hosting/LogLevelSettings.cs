using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>
/// The <c>Logging:…:LogLevel:…</c> settings, checked before anything starts: logging itself reads them when the first
/// logger is made, and a value it cannot read ("Loud") ended the runner with an unhandled exception, a stack trace and
/// no name of the setting.
/// </summary>
internal static partial class LogLevelSettings
{
    /// <summary>Accepts what logging accepts (a level's name or number in any case, or nothing).</summary>
    /// <exception cref="OptionsValidationException">A value logging would refuse; each failure names the setting.</exception>
    public static void Check(IConfiguration configuration)
    {
        var failures = configuration.AsEnumerable()
            .Where(setting => LogLevelKey().IsMatch(setting.Key) && !string.IsNullOrEmpty(setting.Value) && !Enum.TryParse<LogLevel>(setting.Value, ignoreCase: true, out _))
            .OrderBy(setting => setting.Key, StringComparer.OrdinalIgnoreCase)
            .Select(setting => $"setting '{setting.Key}' must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}; got '{setting.Value}'")
            .ToList();
        if (failures.Count > 0) throw new OptionsValidationException("Logging", typeof(LoggerFilterOptions), failures);
    }

    /// <summary><c>Logging:LogLevel:{category}</c> and a provider's <c>Logging:{provider}:LogLevel:{category}</c>.</summary>
    [GeneratedRegex("^Logging(:[^:]+)?:LogLevel:[^:]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LogLevelKey();
}
