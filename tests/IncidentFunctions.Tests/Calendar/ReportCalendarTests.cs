using IncidentFunctions.Calendar;
using NodaTime;

namespace IncidentFunctions.Tests.Calendar;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportCalendarTests
{
    [Fact]
    public void WindowOf_SpringForwardInBerlin_Is23Hours()
    {
        var window = new ReportCalendar("Europe/Berlin").WindowOf(new LocalDate(2026, 3, 29));

        Assert.Equal(TimeSpan.FromHours(23), window.Duration);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), window.From);
    }

    [Fact]
    public void WindowOf_FallBackInBerlin_Is25Hours()
        => Assert.Equal(TimeSpan.FromHours(25), new ReportCalendar("Europe/Berlin").WindowOf(new LocalDate(2026, 10, 25)).Duration);

    [Fact]
    public void WindowOf_MidnightSkippedInHavana_StartsAtOneAndIs23Hours()
    {
        // Cuba springs forward at midnight itself: 2026-03-08 has no 00:00, its first instant is 01:00 (UTC-4).
        var calendar = new ReportCalendar("America/Havana");

        var window = calendar.WindowOf(new LocalDate(2026, 3, 8));

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), window.From);
        Assert.Equal(TimeSpan.FromHours(23), window.Duration);
        Assert.Equal(window.To, calendar.WindowOf(new LocalDate(2026, 3, 9)).From);
        Assert.Equal(new LocalDate(2026, 3, 7), calendar.DayOf(window.From.AddTicks(-1)));
    }

    [Fact]
    public void DayOf_InstantJustBeforeLocalMidnight_BelongsToTheLocalDay()
    {
        var calendar = new ReportCalendar("America/New_York");

        Assert.Equal(new LocalDate(2026, 11, 26), calendar.DayOf(new DateTimeOffset(2026, 11, 27, 4, 59, 59, TimeSpan.Zero)));
        Assert.Equal(new LocalDate(2026, 11, 27), calendar.DayOf(new DateTimeOffset(2026, 11, 27, 5, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void DaysSpanned_AcrossTwoMidnights_ListsThreeDays()
    {
        var calendar = new ReportCalendar("Asia/Tokyo");

        var days = calendar.DaysSpanned(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 22, 16, 0, 0, TimeSpan.Zero)).ToList();

        Assert.Equal([new LocalDate(2026, 11, 20), new LocalDate(2026, 11, 21), new LocalDate(2026, 11, 22), new LocalDate(2026, 11, 23)], days);
    }

    [Fact]
    public void DaysOverlapping_WindowEndingAtMidnight_DoesNotIncludeTheNextDay()
    {
        var calendar = new ReportCalendar("UTC");
        var window = new TimeWindow(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal([new LocalDate(2026, 11, 20)], calendar.DaysOverlapping(window));
    }

    [Fact]
    public void Constructor_UnknownZone_Throws() => Assert.Throws<ArgumentException>(() => new ReportCalendar("Mars/Olympus_Mons"));

    [Theory]
    [InlineData("2026-11-26", true)]
    [InlineData("2026-02-30", false)]
    [InlineData("26-11-2026", false)]
    [InlineData("", false)]
    public void TryParseIsoDay_Text_AcceptsOnlyRealIsoDates(string text, bool ok) => Assert.Equal(ok, ReportCalendar.TryParseIsoDay(text, out _));
}
