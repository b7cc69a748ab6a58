using System.Globalization;

namespace IncidentFunctions.Vocabulary;

/// <summary>Lengths of time as every output writes them: <c>40 s</c>, <c>12 min</c>, <c>1 h 5 min</c>, <c>25 h</c>, <c>3 d 4 h</c>.</summary>
public static class Durations
{
    /// <summary>
    /// Whole units, cut (never rounded up: a gap of 59 min 50 s is not "1 h"). Hours run up to 47 so that report days
    /// of 23, 24 and 25 hours read as such; days start at 48 hours. Negative spans read as zero.
    /// </summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        var inv = CultureInfo.InvariantCulture;
        if (span.TotalHours >= 48) return span.Hours == 0 ? string.Create(inv, $"{(int)span.TotalDays} d") : string.Create(inv, $"{(int)span.TotalDays} d {span.Hours} h");
        if (span.TotalHours >= 1) return span.Minutes == 0 ? string.Create(inv, $"{(int)span.TotalHours} h") : string.Create(inv, $"{(int)span.TotalHours} h {span.Minutes} min");
        if (span.TotalMinutes >= 1) return string.Create(inv, $"{(int)span.TotalMinutes} min");
        return string.Create(inv, $"{(int)span.TotalSeconds} s");
    }
}
