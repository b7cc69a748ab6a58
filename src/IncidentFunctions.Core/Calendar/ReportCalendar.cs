using System.Globalization;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Calendar;

/// <summary>
/// Maps instants to report days in the configured IANA zone. Days are cut at local midnight through NodaTime's
/// bundled tz database, so a DST day is 23 or 25 hours long and results do not depend on the host's zone data.
/// </summary>
public sealed class ReportCalendar
{
    public ReportCalendar(IOptions<CalendarOptions> options)
        : this(options.Value.TimeZone)
    {
    }

    public ReportCalendar(string timeZoneId)
    {
        Zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZoneId)
            ?? throw new ArgumentException($"'{timeZoneId}' is not an IANA time zone id.", nameof(timeZoneId));
    }

    public DateTimeZone Zone { get; }

    public string ZoneId => Zone.Id;

    public LocalDate DayOf(DateTimeOffset instant)
        => Instant.FromDateTimeOffset(instant).InZone(Zone).Date;

    /// <summary>The instants from this day's local midnight to the next one's.</summary>
    public TimeWindow WindowOf(LocalDate day)
        => new(Zone.AtStartOfDay(day).ToDateTimeOffset(), Zone.AtStartOfDay(day.PlusDays(1)).ToDateTimeOffset());

    /// <summary>The instants from the period's first local midnight to the one after its last day (DST-safe).</summary>
    public TimeWindow WindowOf(ReportPeriod period)
        => new(Zone.AtStartOfDay(period.First).ToDateTimeOffset(), Zone.AtStartOfDay(period.Last.PlusDays(1)).ToDateTimeOffset());

    /// <summary>The period of <paramref name="kind"/> that <paramref name="now"/> falls in (still ongoing).</summary>
    public ReportPeriod CurrentPeriod(PeriodKind kind, DateTimeOffset now) => ReportPeriod.Of(kind, DayOf(now));

    /// <summary>The last period of <paramref name="kind"/> that has ended at <paramref name="now"/>: yesterday, last week, last month.</summary>
    public ReportPeriod LatestCompletePeriod(PeriodKind kind, DateTimeOffset now) => CurrentPeriod(kind, now).Previous();

    /// <summary>True once the local midnight after the period's last day has passed.</summary>
    public bool IsComplete(ReportPeriod period, DateTimeOffset now) => DayOf(now) > period.Last;

    /// <summary>Every report day touched by the closed span [<paramref name="from"/>, <paramref name="to"/>], oldest first.</summary>
    public IEnumerable<LocalDate> DaysSpanned(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from) (from, to) = (to, from);
        var last = DayOf(to);
        for (var day = DayOf(from); day <= last; day = day.PlusDays(1))
        {
            yield return day;
        }
    }

    /// <summary>Report days that a half-open window overlaps.</summary>
    public IEnumerable<LocalDate> DaysOverlapping(TimeWindow window)
        => window.Duration == TimeSpan.Zero ? [DayOf(window.From)] : DaysSpanned(window.From, window.To - TimeSpan.FromTicks(1));

    public static string DayKey(LocalDate day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Reads a <see cref="DayKey"/> (<c>yyyyMMdd</c>, eight digits, a real date); anything else is refused.</summary>
    public static bool TryParseDayKey(ReadOnlySpan<char> key, out LocalDate day)
    {
        day = default;
        if (key.Length != 8 || !DateTime.TryParseExact(key, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
        day = LocalDate.FromDateTime(parsed);
        return true;
    }

    public static string IsoDay(LocalDate day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static bool TryParseIsoDay(string? text, out LocalDate day)
    {
        var result = NodaTime.Text.LocalDatePattern.Iso.Parse(text ?? "");
        day = result.Success ? result.Value : default;
        return result.Success;
    }
}
