using IncidentFunctions.AppModel;

namespace IncidentFunctions.Tests.AppModel;

[Trait("Category", TestCategories.Unit)]
public sealed class TimerScheduleTests
{
    [Theory]
    [InlineData("0 */5 * * * *")]
    [InlineData("0 20 * * * *")]
    [InlineData("0 30 3 * * *")]
    public void Problem_SixFieldExpression_IsNone(string expression)
    {
        Assert.Null(TimerSchedule.Problem("SOME_SCHEDULE", expression, "0 */5 * * * *"));
        Assert.NotNull(TimerSchedule.TryParse(expression));
    }

    [Theory]
    [InlineData("*/5 * * * *")] // five fields: the Functions host wants seconds first
    [InlineData("every five minutes")]
    [InlineData("")]
    [InlineData(null)]
    public void Problem_NotASchedule_NamesTheSettingTheValueAndAnExample(string? expression)
    {
        var problem = TimerSchedule.Problem("CSV_SNAPSHOTS_SCHEDULE", expression, "0 20 * * * *");

        Assert.Equal($"CSV_SNAPSHOTS_SCHEDULE '{expression}' is not a 6-field NCRONTAB expression (seconds first, UTC), e.g. '0 20 * * * *'.", problem);
        Assert.Null(TimerSchedule.TryParse(expression));
    }
}
