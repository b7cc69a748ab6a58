using IncidentFunctions.Calendar;
using NodaTime;

namespace IncidentFunctions.Tests.Calendar;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportPeriodTests
{
    [Fact]
    public void WeekOf_LastDaysOfLongYear_IsWeek53SpanningNewYear()
    {
        var week = ReportPeriod.WeekOf(new LocalDate(2027, 1, 2));

        Assert.Equal("2026-W53", week.Key);
        Assert.Equal(new LocalDate(2026, 12, 28), week.First);
        Assert.Equal(new LocalDate(2027, 1, 3), week.Last);
        Assert.Equal(2026, week.WeekYear);
        Assert.Equal(7, week.Days.Count());
    }

    [Fact]
    public void WeekOf_LastDayOfCalendarYear_CanBelongToNextWeekYear()
    {
        var week = ReportPeriod.WeekOf(new LocalDate(2024, 12, 31));

        Assert.Equal("2025-W01", week.Key);
        Assert.Equal(new LocalDate(2024, 12, 30), week.First);
    }

    [Fact]
    public void Previous_FirstWeekOfYear_IsWeek53OfTheLongYearBefore()
    {
        var first = ReportPeriod.Week(2027, 1);

        Assert.Equal(new LocalDate(2027, 1, 4), first.First);
        Assert.Equal("2026-W53", first.Previous().Key);
        Assert.Equal(first, first.Previous().Next());
    }

    [Theory]
    [InlineData("2026-W53", true)]
    [InlineData("2020-W53", true)]
    [InlineData("2027-W53", false)]
    [InlineData("2026-W00", false)]
    [InlineData("2026-W1", false)]
    [InlineData("2026-w01", false)]
    [InlineData("2026W01", false)]
    [InlineData("2026-W01 ", false)]
    [InlineData("+026-W01", false)]
    [InlineData("", false)]
    public void TryParse_Week_AcceptsOnlyWeeksThatExist(string text, bool ok)
    {
        Assert.Equal(ok, ReportPeriod.TryParse(PeriodKind.Week, text, out var week));
        if (ok) Assert.Equal(text, week.Key);
    }

    [Theory]
    [InlineData("2026-02", true)]
    [InlineData("2026-12", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-00", false)]
    [InlineData("2026-2", false)]
    [InlineData("2026-02-01", false)]
    [InlineData("9999-12", false)]
    public void TryParse_Month_AcceptsOnlyCalendarMonths(string text, bool ok)
    {
        Assert.Equal(ok, ReportPeriod.TryParse(PeriodKind.Month, text, out var month));
        if (ok) Assert.Equal(text, month.Key);
    }

    [Theory]
    [InlineData(2026, 2, 28)]
    [InlineData(2028, 2, 29)]
    [InlineData(2026, 4, 30)]
    [InlineData(2026, 12, 31)]
    public void Month_Length_IsTheCalendarMonths(int year, int month, int days)
    {
        var period = ReportPeriod.Month(year, month);

        Assert.Equal(days, period.DayCount);
        Assert.Equal(days, period.Days.Count());
        Assert.Equal(1, period.First.Day);
        Assert.Equal(month, period.Last.Month);
        Assert.Equal(period.Last.PlusDays(1), period.Next().First);
    }

    [Fact]
    public void Previous_January_IsDecemberOfTheYearBefore()
        => Assert.Equal("2025-12", ReportPeriod.Month(2026, 1).Previous().Key);

    [Fact]
    public void WindowOf_WeekWithSpringForwardInBerlin_Is167HoursFromLocalMidnight()
    {
        var calendar = new ReportCalendar("Europe/Berlin");
        var week = ReportPeriod.WeekOf(new LocalDate(2026, 3, 25));

        var window = calendar.WindowOf(week);

        Assert.Equal("2026-W13", week.Key);
        Assert.Equal(TimeSpan.FromHours(167), window.Duration);
        Assert.Equal(new DateTimeOffset(2026, 3, 22, 23, 0, 0, TimeSpan.Zero), window.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), window.To);
    }

    [Fact]
    public void WindowOf_WeekWithFallBackInBerlin_Is169Hours()
        => Assert.Equal(TimeSpan.FromHours(169), new ReportCalendar("Europe/Berlin").WindowOf(ReportPeriod.WeekOf(new LocalDate(2026, 10, 25))).Duration);

    [Fact]
    public void WindowOf_ConsecutiveWeeks_MeetWithoutGapOrOverlap()
    {
        var calendar = new ReportCalendar("America/New_York");
        var week = ReportPeriod.Week(2026, 10); // holds the spring-forward Sunday in New York (2026-03-08)

        Assert.Equal(calendar.WindowOf(week).To, calendar.WindowOf(week.Next()).From);
        Assert.Equal(calendar.WindowOf(week.Days.First()).From, calendar.WindowOf(week).From);
        Assert.Equal(calendar.WindowOf(week.Days.Last()).To, calendar.WindowOf(week).To);
    }

    [Fact]
    public void WindowOf_MarchInBerlin_IsOneHourShortOf31Days()
        => Assert.Equal(TimeSpan.FromHours((31 * 24) - 1), new ReportCalendar("Europe/Berlin").WindowOf(ReportPeriod.Month(2026, 3)).Duration);

    [Fact]
    public void LatestCompletePeriod_MondayMorningInTokyo_IsLastWeekThereButNotYetInUtc()
    {
        var now = new DateTimeOffset(2026, 11, 29, 16, 0, 0, TimeSpan.Zero); // Monday 01:00 in Tokyo, Sunday in UTC

        Assert.Equal("2026-W48", new ReportCalendar("Asia/Tokyo").LatestCompletePeriod(PeriodKind.Week, now).Key);
        Assert.Equal("2026-W47", new ReportCalendar("UTC").LatestCompletePeriod(PeriodKind.Week, now).Key);
    }

    [Fact]
    public void IsComplete_UntilTheLocalMidnightAfterTheLastDay_IsFalse()
    {
        var calendar = new ReportCalendar("UTC");
        var november = ReportPeriod.Month(2026, 11);

        Assert.False(calendar.IsComplete(november, new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero)));
        Assert.True(calendar.IsComplete(november, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-10", calendar.LatestCompletePeriod(PeriodKind.Month, new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero)).Key);
    }
}
