using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportMemoryTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1_000, false)]
    [InlineData(PageFlow.DefaultLaidOutRowBudget, false)]
    [InlineData(PageFlow.DefaultLaidOutRowBudget + 1, true)]
    [InlineData(10_000, true)]
    public void ShouldReleaseInputs_DayAgainstTheLaidOutRowBudget_OnlyDaysBeyondItPayACollection(int incidents, bool expected)
        => Assert.Equal(expected, ReportMemory.ShouldReleaseInputs(incidents));
}
