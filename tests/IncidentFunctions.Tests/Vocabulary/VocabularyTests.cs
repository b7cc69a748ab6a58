using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Vocabulary;
using NodaTime;

namespace IncidentFunctions.Tests.Vocabulary;

[Trait("Category", TestCategories.Unit)]
public sealed class VocabularyTests
{
    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(59, "59 s")]
    [InlineData(60, "1 min")]
    [InlineData(3_599, "59 min")] // cut, never rounded up to "1 h"
    [InlineData(3_600, "1 h")]
    [InlineData(3_900, "1 h 5 min")]
    [InlineData(23 * 3_600, "23 h")] // a spring-forward report day
    [InlineData(25 * 3_600, "25 h")] // an autumn one
    [InlineData((47 * 3_600) + 3_540, "47 h 59 min")]
    [InlineData(48 * 3_600, "2 d")]
    [InlineData((3 * 86_400) + (4 * 3_600) + 300, "3 d 4 h")]
    [InlineData(-30, "0 s")]
    public void Duration_Spans_ReadInWholeUnits(int seconds, string expected)
        => Assert.Equal(expected, Durations.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(42, 37, "+5 (+13.5%)")]
    [InlineData(18_734, 21_002, "\u22122,268 (\u221210.8%)")]
    [InlineData(57, 57, "no change")]
    [InlineData(3, 0, "+3 (new)")]
    [InlineData(0, 4, "\u22124 (\u2212100%)")]
    [InlineData(1_235_580, 1_000, "+1,234,580 (+123,458%)")]
    public void Change_AgainstThePreviousPeriod_ShowsSignCountAndShare(long current, long previous, string expected)
        => Assert.Equal(expected, Numbers.Change(current, previous));

    [Fact]
    public void Number_ThousandsAndNegatives_UseInvariantSeparatorsAndATrueMinus()
    {
        Assert.Equal("1,234,567", Numbers.Number(1_234_567));
        Assert.Equal("\u22121,000", Numbers.Number(-1_000));
        Assert.Equal("1 hit", Numbers.Count(1, "hit", "hits"));
        Assert.Equal("0 hits", Numbers.Count(0, "hit", "hits"));
        Assert.Equal("12.5%", Numbers.Percent(0.125));
        Assert.Equal("+2.5 pp", Numbers.ChangePoints(0.30, 0.275));
    }

    [Fact]
    public void Labels_EveryStatusAndSourceType_HaveOneDistinctName()
    {
        var statuses = Enum.GetValues<IncidentStatus>().Select(Labels.Status).ToList();
        var types = Enum.GetValues<SourceType>().Select(t => Labels.SourceType(t)).Append(Labels.SourceType(null)).ToList();

        Assert.Equal(statuses.Count, statuses.Distinct().Count());
        Assert.Equal(types.Count, types.Distinct().Count());
        Assert.Equal("Unknown status", Labels.Status(IncidentStatus.Unknown));
        Assert.Equal(Enum.GetValues<IncidentStatus>().Order(), Labels.StatusOrder.Order());
        Assert.DoesNotContain(types, t => t.Contains("Unknown", StringComparison.Ordinal) && t != "Residential / unknown");
    }

    [Fact]
    public void Dates_WithinAReportDay_NameItsEndAndOtherDays()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var day = new LocalDate(2026, 11, 19);

        Assert.Equal("2026-11-19 08:00 +01:00", Dates.DateTime(new DateTimeOffset(2026, 11, 19, 7, 0, 0, TimeSpan.Zero), zone));
        Assert.Equal("02:00–05:30", Dates.Span(new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 19, 4, 30, 0, TimeSpan.Zero), zone, day));
        Assert.Equal("24:00", Dates.TimeWithin(new DateTimeOffset(2026, 11, 19, 23, 0, 0, TimeSpan.Zero), zone, day));
        Assert.Equal("Nov 20 03:10", Dates.TimeWithin(new DateTimeOffset(2026, 11, 20, 2, 10, 0, TimeSpan.Zero), zone, day));
        Assert.Equal("Thursday, 19 November 2026", Dates.LongDay(day));
    }

    [Theory]
    [InlineData(2026, 11, 16, 2026, 11, 22, "16–22 Nov 2026")]
    [InlineData(2026, 11, 30, 2026, 12, 6, "30 Nov – 6 Dec 2026")]
    [InlineData(2025, 12, 29, 2026, 1, 4, "29 Dec 2025 – 4 Jan 2026")]
    public void DaySpan_AWeek_NamesTheMonthAndYearOnlyWhereTheyChange(int y1, int m1, int d1, int y2, int m2, int d2, string expected)
    {
        Assert.Equal(expected, Dates.DaySpan(new LocalDate(y1, m1, d1), new LocalDate(y2, m2, d2)));
    }
}
