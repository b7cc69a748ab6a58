using NCrontab;

namespace IncidentFunctions.AppModel;

/// <summary>Timer schedules as the Functions host reads them: 6-field NCRONTAB, seconds first, UTC.</summary>
public static class TimerSchedule
{
    private static readonly CrontabSchedule.ParseOptions Format = new() { IncludingSeconds = true };

    /// <summary>The schedule <paramref name="expression"/> describes, or null when it is not one.</summary>
    public static CrontabSchedule? TryParse(string? expression) => CrontabSchedule.TryParse(expression ?? "", Format);

    /// <summary>The start-up error for <paramref name="setting"/> when its value is not a schedule; null when it is one.</summary>
    public static string? Problem(string setting, string? expression, string example)
        => TryParse(expression) is null
            ? $"{setting} '{expression}' is not a 6-field NCRONTAB expression (seconds first, UTC), e.g. '{example}'."
            : null;
}
