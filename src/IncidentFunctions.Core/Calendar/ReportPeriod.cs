using System.Globalization;
using NodaTime;
using NodaTime.Calendars;

namespace IncidentFunctions.Calendar;

/// <summary>The length of a report period.</summary>
public enum PeriodKind
{
    Day,

    /// <summary>An ISO 8601 week: Monday to Sunday, numbered in its week-year (week 1 holds the year's first Thursday).</summary>
    Week,

    /// <summary>A calendar month.</summary>
    Month,
}

/// <summary>
/// A run of whole report days: one day, an ISO week or a calendar month. Pure calendar arithmetic on local dates;
/// the instants a period covers come from <see cref="ReportCalendar.WindowOf(ReportPeriod)"/>, which cuts at local
/// midnights of the report zone, so a week with a DST change is 167 or 169 hours long and nothing is lost or doubled.
/// </summary>
/// <remarks>
/// Keys are what the routes use: <c>yyyy-MM-dd</c>, <c>yyyy-Www</c> (ISO week-year, which differs from the calendar
/// year around 1 January: 2026-12-31 is in 2026-W53, 2027-01-01 to -03 too) and <c>yyyy-MM</c>.
/// </remarks>
public readonly record struct ReportPeriod
{
    /// <summary>The last year whose periods (and the day after them) NodaTime can represent.</summary>
    public const int MaxYear = 9998;

    private static readonly IWeekYearRule Iso = WeekYearRules.Iso;

    private ReportPeriod(PeriodKind kind, LocalDate first, LocalDate last)
    {
        Kind = kind;
        First = first;
        Last = last;
    }

    public PeriodKind Kind { get; }

    /// <summary>The first report day of the period.</summary>
    public LocalDate First { get; }

    /// <summary>The last report day of the period (inclusive).</summary>
    public LocalDate Last { get; }

    /// <summary>Number of days: 1, 7, or 28 to 31.</summary>
    public int DayCount => Period.DaysBetween(First, Last) + 1;

    /// <summary>Every day of the period, oldest first.</summary>
    public IEnumerable<LocalDate> Days
    {
        get
        {
            for (var day = First; day <= Last; day = day.PlusDays(1)) yield return day;
        }
    }

    /// <summary>The ISO week-year of a week (may differ from <see cref="First"/>'s calendar year).</summary>
    public int WeekYear => Iso.GetWeekYear(First);

    /// <summary>The ISO week number of a week (1 to 53).</summary>
    public int WeekOfWeekYear => Iso.GetWeekOfWeekYear(First);

    /// <summary>The route key: <c>yyyy-MM-dd</c>, <c>yyyy-Www</c> or <c>yyyy-MM</c>.</summary>
    public string Key => Kind switch
    {
        PeriodKind.Day => ReportCalendar.IsoDay(First),
        PeriodKind.Week => string.Create(CultureInfo.InvariantCulture, $"{WeekYear:D4}-W{WeekOfWeekYear:D2}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{First.Year:D4}-{First.Month:D2}"),
    };

    public static ReportPeriod Day(LocalDate day) => new(PeriodKind.Day, day, day);

    /// <summary>The ISO week (Monday to Sunday) that holds <paramref name="day"/>.</summary>
    public static ReportPeriod WeekOf(LocalDate day)
    {
        var monday = day.PlusDays(-((int)day.DayOfWeek - (int)IsoDayOfWeek.Monday));
        return new(PeriodKind.Week, monday, monday.PlusDays(6));
    }

    /// <summary>ISO week <paramref name="week"/> of <paramref name="weekYear"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The week-year has no such week (week 53 exists only in long years).</exception>
    public static ReportPeriod Week(int weekYear, int week)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weekYear, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weekYear, MaxYear);
        ArgumentOutOfRangeException.ThrowIfLessThan(week, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(week, Iso.GetWeeksInWeekYear(weekYear));
        var monday = Iso.GetLocalDate(weekYear, week, IsoDayOfWeek.Monday);
        return new(PeriodKind.Week, monday, monday.PlusDays(6));
    }

    /// <summary>The calendar month that holds <paramref name="day"/>.</summary>
    public static ReportPeriod MonthOf(LocalDate day) => Month(day.Year, day.Month);

    public static ReportPeriod Month(int year, int month)
    {
        var first = new LocalDate(year, month, 1);
        return new(PeriodKind.Month, first, first.PlusMonths(1).PlusDays(-1));
    }

    /// <summary>The period of <paramref name="kind"/> that holds <paramref name="day"/>.</summary>
    public static ReportPeriod Of(PeriodKind kind, LocalDate day) => kind switch
    {
        PeriodKind.Day => Day(day),
        PeriodKind.Week => WeekOf(day),
        PeriodKind.Month => MonthOf(day),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The period of the same kind just before this one.</summary>
    public ReportPeriod Previous() => Of(Kind, First.PlusDays(-1));

    /// <summary>The period of the same kind just after this one.</summary>
    public ReportPeriod Next() => Of(Kind, Last.PlusDays(1));

    public bool Contains(LocalDate day) => day >= First && day <= Last;

    /// <summary>
    /// Parses a route key strictly: <c>yyyy-MM-dd</c> for days, <c>yyyy-Www</c> (upper-case W, two-digit week that
    /// exists in that week-year) for weeks, <c>yyyy-MM</c> for months. Anything else (lower-case w, one-digit week,
    /// week 53 of a short year, month 13, extra characters) is refused.
    /// </summary>
    public static bool TryParse(PeriodKind kind, string? text, out ReportPeriod period)
    {
        period = default;
        if (text is null) return false;
        switch (kind)
        {
            case PeriodKind.Day:
                if (text.Length != 10 || !ReportCalendar.TryParseIsoDay(text, out var day)) return false;
                period = Day(day);
                return true;
            case PeriodKind.Week:
                if (text.Length != 8 || text[4] != '-' || text[5] != 'W'
                    || !Digits(text.AsSpan(0, 4), out var weekYear) || !Digits(text.AsSpan(6, 2), out var week)
                    || weekYear is < 1 or > MaxYear || week < 1 || week > Iso.GetWeeksInWeekYear(weekYear))
                {
                    return false;
                }

                period = Week(weekYear, week);
                return true;
            case PeriodKind.Month:
                if (text.Length != 7 || text[4] != '-'
                    || !Digits(text.AsSpan(0, 4), out var year) || !Digits(text.AsSpan(5, 2), out var month)
                    || year is < 1 or > MaxYear || month is < 1 or > 12)
                {
                    return false;
                }

                period = Month(year, month);
                return true;
            default:
                return false;
        }
    }

    public override string ToString() => Key;

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
