using System.Globalization;
using IncidentFunctions.Calendar;
using NodaTime;

namespace IncidentFunctions.Vocabulary;

/// <summary>
/// Days, dates and times as every output writes them, in the report's time zone: days <c>2026-11-19</c> (or
/// <c>Thursday, 19 November 2026</c> in a heading), instants <c>2026-11-19 08:00 +01:00</c>, clock times within a
/// report day <c>08:00</c> (its end is <c>24:00</c>) and spans <c>02:00–05:30</c>.
/// </summary>
public static class Dates
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Day(LocalDate day) => day.ToString("yyyy-MM-dd", Invariant);

    public static string LongDay(LocalDate day) => day.ToString("dddd, d MMMM yyyy", Invariant);

    /// <summary>A run of days: "16–22 Nov 2026", "30 Nov – 6 Dec 2026", "29 Dec 2025 – 4 Jan 2026".</summary>
    public static string DaySpan(LocalDate first, LocalDate last)
        => first.Year != last.Year ? $"{first.ToString("d MMM yyyy", Invariant)} – {last.ToString("d MMM yyyy", Invariant)}"
            : first.Month != last.Month ? $"{first.ToString("d MMM", Invariant)} – {last.ToString("d MMM yyyy", Invariant)}"
            : $"{first.ToString("%d", Invariant)}–{last.ToString("d MMM yyyy", Invariant)}";

    /// <summary>An instant with its date and UTC offset, unambiguous across DST changes.</summary>
    public static string DateTime(DateTimeOffset instant, DateTimeZone zone)
        => Instant.FromDateTimeOffset(instant).InZone(zone).ToString("yyyy-MM-dd HH:mm o<+HH:mm>", Invariant);

    /// <summary>The local clock time only, for an instant whose date is already given nearby.</summary>
    public static string Clock(DateTimeOffset instant, DateTimeZone zone)
        => Instant.FromDateTimeOffset(instant).InZone(zone).ToString("HH:mm", Invariant);

    /// <summary>
    /// A time as read within report day <paramref name="day"/>: <c>HH:mm</c> on the day, <c>24:00</c> for its end, and
    /// with the date (<c>Nov 20 03:10</c>) when it falls on another day.
    /// </summary>
    public static string TimeWithin(DateTimeOffset instant, DateTimeZone zone, LocalDate day)
    {
        var local = Instant.FromDateTimeOffset(instant).InZone(zone);
        if (local.Date == day.PlusDays(1) && local.TimeOfDay == LocalTime.Midnight) return "24:00";
        return local.Date == day ? local.ToString("HH:mm", Invariant) : local.ToString("MMM d HH:mm", Invariant);
    }

    /// <summary>A span within report day <paramref name="day"/>: <c>02:00–05:30</c>.</summary>
    public static string Span(DateTimeOffset from, DateTimeOffset to, DateTimeZone zone, LocalDate day)
        => $"{TimeWithin(from, zone, day)}–{TimeWithin(to, zone, day)}";

    /// <summary>A report period's name: <c>2026-11-19</c>, <c>Week 2026-W48</c> or <c>November 2026</c>.</summary>
    public static string Period(ReportPeriod period) => period.Kind switch
    {
        PeriodKind.Week => $"Week {period.Key}",
        PeriodKind.Month => period.First.ToString("MMMM yyyy", Invariant),
        _ => Day(period.First),
    };

    /// <summary>A period with its days for a heading: <c>Week 2026-W48 (23–29 Nov 2026)</c>; a day or a month is its name.</summary>
    public static string PeriodWithDays(ReportPeriod period)
        => period.Kind == PeriodKind.Week ? $"{Period(period)} ({DaySpan(period.First, period.Last)})" : Period(period);
}
