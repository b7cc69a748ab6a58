using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using NodaTime;

namespace IncidentFunctions.Tests.Incidents;

[Trait("Category", TestCategories.Unit)]
public sealed class CoverageLogTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeWindow Day = new(Midnight, Midnight.AddDays(1));

    private static TimeWindow Hours(double from, double to) => new(Midnight.AddHours(from), Midnight.AddHours(to));

    [Fact]
    public void Compute_OverlappingWindowsWithAGap_MergesThemAndReportsTheGap()
    {
        var coverage = CoverageLog.Compute(new LocalDate(2026, 11, 20), Day, Day, [Hours(-1, 3), Hours(2.5, 6), Hours(12, 30)]);

        Assert.Equal([Hours(0, 6), Hours(12, 24)], coverage.Covered);
        Assert.Equal([Hours(6, 12)], coverage.Missing);
        Assert.False(coverage.IsComplete);
    }

    [Fact]
    public void Compute_DayNotOverYet_OnlyCountsTheHoursSoFar()
    {
        var coverage = CoverageLog.Compute(new LocalDate(2026, 11, 20), Day, Hours(0, 10), [Hours(0, 10)]);

        Assert.True(coverage.IsComplete);
    }

    [Fact]
    public void Compute_NothingPulled_TheWholeDayIsMissing()
        => Assert.Equal([Day], CoverageLog.Compute(new LocalDate(2026, 11, 20), Day, Day, []).Missing);
}
