using IncidentFunctions.AppModel;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>
/// Turns a settings mistake found while the runner starts into the one line an operator needs: which setting, and
/// what is wrong with it. Anything else is a fault of the program and keeps its stack trace.
/// </summary>
internal static class StartupFailure
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
        return string.Join("; ", problems.Select(FailureText.OneLine).Distinct(StringComparer.Ordinal));
    }

    private static List<string>? Problems(Exception exception)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                return [.. validation.Failures];
            case HostJsonException hostJson:
                return [hostJson.Message];
            case InvalidOperationException when exception.TargetSite?.DeclaringType == typeof(ConfigurationBinder)
                                                && SettingBindingFailure.Read(exception) is { } failure:
                return [$"setting '{failure.Setting}' must be {failure.Expected}"];
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
}
