using IncidentFunctions.Digest;
using NodaTime;

namespace IncidentFunctions.Tests.Digest;

[Trait("Category", TestCategories.Unit)]
public sealed class DigestScheduleTests
{
    private static DigestSchedule Schedule(string zone, int hour, int minute, int catchUpDays = 3)
        => new(DateTimeZoneProviders.Tzdb[zone], new LocalTime(hour, minute), catchUpDays);

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Theory]
    // Europe/Berlin 08:00: CET (+1) in winter, CEST (+2) in summer, and on both change days.
    [InlineData("Europe/Berlin", 8, 0, "2026-11-19", "2026-11-20T07:00:00Z")]
    [InlineData("Europe/Berlin", 8, 0, "2026-07-01", "2026-07-02T06:00:00Z")]
    [InlineData("Europe/Berlin", 8, 0, "2026-03-28", "2026-03-29T06:00:00Z")] // sent on the spring-forward day
    [InlineData("Europe/Berlin", 8, 0, "2026-03-29", "2026-03-30T06:00:00Z")] // the 23-hour day itself
    [InlineData("Europe/Berlin", 8, 0, "2026-10-24", "2026-10-25T07:00:00Z")] // sent on the fall-back day
    [InlineData("Europe/Berlin", 8, 0, "2026-10-25", "2026-10-26T07:00:00Z")] // the 25-hour day itself
    // A send time inside the skipped hour moves forward by the gap; inside the repeated hour it is the first one.
    [InlineData("Europe/Berlin", 2, 30, "2026-03-28", "2026-03-29T01:30:00Z")] // 02:30 does not exist → 03:30 CEST
    [InlineData("Europe/Berlin", 2, 30, "2026-10-24", "2026-10-25T00:30:00Z")] // 02:30 twice → 02:30 CEST
    // America/New_York: EST (−5) / EDT (−4); changes on 2026-03-08 and 2026-11-01 at 02:00 local.
    [InlineData("America/New_York", 7, 0, "2026-03-07", "2026-03-08T11:00:00Z")]
    [InlineData("America/New_York", 7, 0, "2026-03-08", "2026-03-09T11:00:00Z")]
    [InlineData("America/New_York", 7, 0, "2026-10-31", "2026-11-01T12:00:00Z")]
    [InlineData("America/New_York", 2, 30, "2026-03-07", "2026-03-08T07:30:00Z")] // 02:30 skipped → 03:30 EDT
    [InlineData("America/New_York", 1, 30, "2026-10-31", "2026-11-01T05:30:00Z")] // 01:30 twice → 01:30 EDT
    [InlineData("UTC", 0, 0, "2026-11-19", "2026-11-20T00:00:00Z")]
    [InlineData("Asia/Tokyo", 9, 0, "2026-11-19", "2026-11-20T00:00:00Z")]
    public void DueAt_SendTimeInZone_IsTheLocalTimeOnTheNextDay(string zone, int hour, int minute, string day, string expected)
    {
        var schedule = Schedule(zone, hour, minute);

        var due = schedule.DueAt(NodaTime.Text.LocalDatePattern.Iso.Parse(day).Value);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), due);
    }

    [Theory]
    [InlineData("Europe/Berlin", 8, 0)]
    [InlineData("Europe/Berlin", 2, 30)]
    [InlineData("America/New_York", 1, 30)]
    [InlineData("America/New_York", 2, 30)]
    public void LatestDueDay_TimerEveryFifteenMinutesAcrossDstChanges_MakesEachDayDueExactlyOnceInOrder(string zone, int hour, int minute)
    {
        var schedule = Schedule(zone, hour, minute);
        var firstDue = new Dictionary<LocalDate, DateTimeOffset>();
        // Two windows around the year's changes, in 15-minute UTC ticks as the Functions timer fires.
        var windows = new[] { (From: Utc(2026, 3, 1, 0, 0), To: Utc(2026, 4, 2, 0, 0)), (From: Utc(2026, 10, 20, 0, 0), To: Utc(2026, 11, 5, 0, 0)) };
        foreach (var (from, to) in windows)
        {
            LocalDate? previous = null;
            for (var now = from; now < to; now = now.AddMinutes(15))
            {
                var latest = schedule.LatestDueDay(now);
                if (previous is { } p)
                {
                    // Never goes back, never skips a day.
                    Assert.True(latest == p || latest == p.PlusDays(1), $"{now:o}: latest due day jumped from {p} to {latest}");
                }

                firstDue.TryAdd(latest, now);
                previous = latest;
            }
        }

        var observed = firstDue.Where(d => windows.All(w => d.Value != w.From)).ToList();
        Assert.True(observed.Count >= 40, $"only {observed.Count} days became due in the windows");
        foreach (var (day, at) in observed)
        {
            // The first tick at or after the local send time: never before it, at most one timer period late.
            Assert.InRange(at - schedule.DueAt(day), TimeSpan.Zero, TimeSpan.FromMinutes(15) - TimeSpan.FromTicks(1));
        }
    }

    [Fact]
    public void DueDays_BeforeTodaysSendTime_EndWithTheDayBeforeYesterday()
    {
        var schedule = Schedule("Europe/Berlin", 8, 0, catchUpDays: 3);

        var days = schedule.DueDays(Utc(2026, 11, 20, 6, 59)); // 07:59 local

        Assert.Equal([new LocalDate(2026, 11, 16), new LocalDate(2026, 11, 17), new LocalDate(2026, 11, 18)], days);
    }

    [Fact]
    public void DueDays_AfterTodaysSendTime_EndWithYesterdayOldestFirst()
    {
        var schedule = Schedule("Europe/Berlin", 8, 0, catchUpDays: 3);

        var days = schedule.DueDays(Utc(2026, 11, 20, 7, 0)); // 08:00 local

        Assert.Equal([new LocalDate(2026, 11, 17), new LocalDate(2026, 11, 18), new LocalDate(2026, 11, 19)], days);
        Assert.Equal(new LocalDate(2026, 11, 16), schedule.FirstExpiredDay(Utc(2026, 11, 20, 7, 0)));
    }

    [Fact]
    public void DueDays_CatchUpOne_IsOnlyTheLatestDueDay()
    {
        var schedule = Schedule("UTC", 8, 0, catchUpDays: 1);

        Assert.Equal([new LocalDate(2026, 11, 19)], schedule.DueDays(Utc(2026, 11, 20, 9, 0)));
    }

    [Fact]
    public void NextDueAt_BeforeAndAfterSendTime_IsTodaysOrTomorrowsSendTime()
    {
        var schedule = Schedule("America/New_York", 7, 0);

        Assert.Equal(Utc(2026, 11, 20, 12, 0), schedule.NextDueAt(Utc(2026, 11, 20, 11, 59)));
        Assert.Equal(Utc(2026, 11, 21, 12, 0), schedule.NextDueAt(Utc(2026, 11, 20, 12, 0)));
    }

    [Theory]
    // Berlin 08:00, catch-up 3 days. Week 2026-W47 is Mon 16 – Sun 22 Nov; its digest is due Mon 23 Nov 08:00 CET.
    [InlineData("2026-11-23T06:59:00Z", "")] // W46's catch-up ended Thu 19 Nov; W47 not due yet
    [InlineData("2026-11-23T07:00:00Z", "2026-W47")]
    [InlineData("2026-11-26T06:59:00Z", "2026-W47")] // still caught up on
    [InlineData("2026-11-26T07:00:00Z", "")] // three days late: expired
    // Week 53 of 2026 runs into 2027 (Mon 28 Dec – Sun 3 Jan); due Mon 4 Jan.
    [InlineData("2027-01-04T07:00:00Z", "2026-W53")]
    // The week of the spring-forward Sunday (W13: 23–29 Mar 2026) is due Mon 30 Mar 08:00 CEST = 06:00 UTC.
    [InlineData("2026-03-30T05:59:00Z", "")]
    [InlineData("2026-03-30T06:00:00Z", "2026-W13")]
    public void DuePeriods_Weeks_DueAtTheSendTimeOnMondayAndCaughtUpOnForCatchUpDays(string now, string expected)
    {
        var schedule = Schedule("Europe/Berlin", 8, 0);

        var due = schedule.DuePeriods(IncidentFunctions.Calendar.PeriodKind.Week, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, string.Join(",", due.Select(p => p.Key)));
    }

    [Theory]
    [InlineData("2026-12-01T06:59:00Z", "")]
    [InlineData("2026-12-01T07:00:00Z", "2026-11")] // 30 days
    [InlineData("2027-01-01T07:00:00Z", "2026-12")] // 31 days, the year's end
    [InlineData("2028-03-01T07:00:00Z", "2028-02")] // 29 days
    [InlineData("2027-03-01T07:00:00Z", "2027-02")] // 28 days
    [InlineData("2026-11-15T12:00:00Z", "")] // mid-month: October's catch-up long over
    public void DuePeriods_Months_DueAtTheSendTimeOnTheFirst(string now, string expected)
    {
        var schedule = Schedule("Europe/Berlin", 8, 0);

        var due = schedule.DuePeriods(IncidentFunctions.Calendar.PeriodKind.Month, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, string.Join(",", due.Select(p => p.Key)));
    }

    [Fact]
    public void DuePeriods_CatchUpLongerThanAWeek_SendsBothMissedWeeksOldestFirst()
    {
        var schedule = Schedule("UTC", 8, 0, catchUpDays: 10);

        var due = schedule.DuePeriods(IncidentFunctions.Calendar.PeriodKind.Week, Utc(2026, 12, 1, 9, 0));

        Assert.Equal(["2026-W47", "2026-W48"], due.Select(p => p.Key));
    }

    [Fact]
    public void ExpiredPeriods_Weeks_AreTheWeeksWhoseCatchUpEnded()
    {
        var schedule = Schedule("UTC", 8, 0);

        var expired = schedule.ExpiredPeriods(IncidentFunctions.Calendar.PeriodKind.Week, Utc(2026, 11, 26, 8, 0), 2);

        Assert.Equal(["2026-W46", "2026-W47"], expired.Select(p => p.Key));
    }

    [Fact]
    public void DuePeriods_Days_AreTheDueDaysAtEveryQuarterHourAcrossBothDstChanges()
    {
        foreach (var (zone, from) in new[] { ("Europe/Berlin", Utc(2026, 3, 27, 0, 0)), ("Europe/Berlin", Utc(2026, 10, 23, 0, 0)), ("America/New_York", Utc(2026, 3, 6, 0, 0)) })
        {
            var schedule = Schedule(zone, 2, 30);
            for (var now = from; now < from.AddDays(4); now = now.AddMinutes(15))
            {
                var periods = schedule.DuePeriods(IncidentFunctions.Calendar.PeriodKind.Day, now);
                Assert.Equal(schedule.DueDays(now), periods.Select(p => p.First));
                Assert.Equal(schedule.FirstExpiredDay(now), schedule.ExpiredPeriods(IncidentFunctions.Calendar.PeriodKind.Day, now, 1)[0].First);
            }
        }
    }
}
