using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>
/// Turns a settings mistake found while the runner starts into the one line an operator needs: which setting, and
/// what is wrong with it. Anything else is a fault of the program and keeps its stack trace.
/// </summary>
internal static partial class StartupFailure
{
    /// <summary>
    /// Runs the options validation that would run when the host starts (every <c>ValidateOnStart</c>), now: a host that
    /// fails to start logs the failure with its stack trace, while the runner prints <see cref="Describe"/>'s line.
    /// </summary>
    public static void ValidateSettings(this IServiceProvider services)
        => services.GetService<IStartupValidator>()?.Validate();

    /// <summary>The line to print, or <see langword="null"/> when <paramref name="exception"/> is not a settings mistake.</summary>
    public static string? Describe(Exception exception)
    {
        var problems = Problems(exception);
        if (problems is null) return null;
        // Validators name the setting in every message; one problem can surface twice (once for each options type that reads it).
        return string.Join("; ", problems.Select(OneLine).Distinct(StringComparer.Ordinal));
    }

    private static List<string>? Problems(Exception exception)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                return [.. validation.Failures];
            case HostJsonException hostJson:
                return [hostJson.Message];
            case InvalidOperationException when BindingFailure().Match(exception.Message) is { Success: true } match
                                                && exception.TargetSite?.DeclaringType == typeof(ConfigurationBinder):
                // The binder's own message; the value itself is left out, as it may be a secret.
                return [$"setting '{match.Groups["path"].Value}' must be {Expected(match.Groups["type"].Value)}"];
            case AggregateException aggregate:
                var all = new List<string>();
                foreach (var inner in aggregate.Flatten().InnerExceptions)
                {
                    if (Problems(inner) is not { } some) return null;
                    all.AddRange(some);
                }

                return all.Count == 0 ? null : all;
            default:
                return null;
        }
    }

    private static string Expected(string typeName)
    {
        var inner = NullableOf().Match(typeName) is { Success: true } nullable ? nullable.Groups["type"].Value : typeName;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Decimal" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration like 00:05:00 (hh:mm:ss, or d.hh:mm:ss)",
            "System.TimeOnly" => "a time of day like 08:00",
            "System.Uri" => "an absolute URL",
            _ when FindEnum(inner) is { } type => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ => $"a valid {inner}",
        };
    }

    private static Type? FindEnum(string fullName)
        => AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is { IsEnum: true });

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>"Failed to convert configuration value at 'Wallarm:PageSize' to type 'System.Int32'."</summary>
    [GeneratedRegex("at '(?<path>[^']+)' to type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex BindingFailure();

    [GeneratedRegex(@"^System\.Nullable`1\[\[?(?<type>[^,\]]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NullableOf();
}
