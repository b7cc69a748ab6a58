using System.Globalization;
using NodaTime;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>Invariant-culture formatting of times, durations, numbers and changes for the report.</summary>
internal sealed class ReportFormat(DateTimeZone zone, LocalDate day)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Local time; the date is added when it is not the report day.</summary>
    public string Time(DateTimeOffset instant)
    {
        var local = Instant.FromDateTimeOffset(instant).InZone(zone);
        if (local.Date == day.PlusDays(1) && local.TimeOfDay == LocalTime.Midnight) return "24:00";
        return local.Date == day ? local.ToString("HH:mm", Invariant) : local.ToString("MMM d HH:mm", Invariant);
    }

    /// <summary>Local clock time, with the day offset when it is not the report day: <c>01:44+1d</c> (one short token for narrow columns).</summary>
    public string Clock(DateTimeOffset instant)
    {
        var local = Instant.FromDateTimeOffset(instant).InZone(zone);
        if (local.Date == day) return local.ToString("HH:mm", Invariant);
        if (local.Date == day.PlusDays(1) && local.TimeOfDay == LocalTime.Midnight) return "24:00";
        var days = Period.Between(day, local.Date, PeriodUnits.Days).Days;
        return local.ToString("HH:mm", Invariant) + (days > 0 ? "+" : "\u2212") + Math.Abs(days).ToString(Invariant) + "d";
    }

    public string DateTime(DateTimeOffset instant)
        => Instant.FromDateTimeOffset(instant).InZone(zone).ToString("yyyy-MM-dd HH:mm o<+HH:mm>", Invariant);

    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalDays >= 1) return string.Create(Invariant, $"{(int)span.TotalDays}d {span.Hours}h");
        if (span.TotalHours >= 1) return string.Create(Invariant, $"{(int)span.TotalHours}h {span.Minutes:00}m");
        if (span.TotalMinutes >= 1) return string.Create(Invariant, $"{(int)span.TotalMinutes}m");
        return string.Create(Invariant, $"{(int)span.TotalSeconds}s");
    }

    public static string Number(long value) => value.ToString("N0", Invariant);

    public static string Percent(double share) => share.ToString("0.#%", Invariant);

    /// <summary>"+12 (+25%)", "−3 (−10%)", "no change", or "new" when the previous value was zero.</summary>
    public static string Change(long current, long previous)
    {
        var delta = current - previous;
        if (delta == 0) return "no change";
        var sign = delta > 0 ? "+" : "\u2212";
        var abs = Math.Abs(delta).ToString("N0", Invariant);
        if (previous == 0) return $"{sign}{abs} (new)";
        var pct = Math.Abs((double)delta / previous).ToString("0.#%", Invariant);
        return $"{sign}{abs} ({sign}{pct})";
    }

    /// <summary>Change of a share in percentage points.</summary>
    public static string ChangePoints(double current, double previous)
    {
        var delta = (current - previous) * 100;
        if (Math.Abs(delta) < 0.05) return "no change";
        return string.Create(Invariant, $"{(delta > 0 ? "+" : "\u2212")}{Math.Abs(delta):0.#} pp");
    }

    public static string Threat(long? threat) => threat switch
    {
        null => "–",
        >= 80 => string.Create(Invariant, $"High ({threat})"),
        >= 40 => string.Create(Invariant, $"Medium ({threat})"),
        _ => string.Create(Invariant, $"Low ({threat})"),
    };
}
