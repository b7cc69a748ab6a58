using IncidentFunctions.Vocabulary;
using NodaTime;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// The report's day and zone bound to the shared vocabulary (<see cref="Dates"/>), so sections write times the way
/// chat and every other output do. Numbers, durations and labels come straight from <see cref="Numbers"/>,
/// <see cref="Durations"/> and <see cref="Labels"/>.
/// </summary>
internal sealed class ReportFormat(DateTimeZone zone, LocalDate day)
{
    /// <summary>Local time; the date is added when it is not the report day, and the day's end reads 24:00.</summary>
    public string Time(DateTimeOffset instant) => Dates.TimeWithin(instant, zone, day);

    public string DateTime(DateTimeOffset instant) => Dates.DateTime(instant, zone);

    /// <summary>A span within the report day: <c>02:00–05:30</c>.</summary>
    public string Span(DateTimeOffset from, DateTimeOffset to) => Dates.Span(from, to, zone, day);

    /// <summary>
    /// For the compact table's narrow column: the local clock time, with the day offset instead of the date when it
    /// is not the report day (<c>01:44+1d</c>), so a span that crosses midnight stays one short token.
    /// </summary>
    public string Clock(DateTimeOffset instant)
    {
        var local = Instant.FromDateTimeOffset(instant).InZone(zone);
        if (local.Date == day || (local.Date == day.PlusDays(1) && local.TimeOfDay == LocalTime.Midnight)) return Dates.TimeWithin(instant, zone, day);
        var days = Period.Between(day, local.Date, PeriodUnits.Days).Days;
        return Dates.Clock(instant, zone) + (days > 0 ? "+" : "\u2212") + Math.Abs(days).ToString(System.Globalization.CultureInfo.InvariantCulture) + "d";
    }
}
