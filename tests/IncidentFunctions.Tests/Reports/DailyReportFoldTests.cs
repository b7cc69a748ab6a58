using System.Runtime.CompilerServices;
using System.Text.Json;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Testing;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class DailyReportFoldTests
{
    private static readonly LocalDate Day = new(2026, 11, 20);
    private static readonly ReportCalendar Calendar = new("UTC");
    private static readonly Uri Console = new("https://console.example/");

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(40)]
    [InlineData(-1)]
    public async Task FoldAsync_ProfilesReadyBeforeDuringOrAfterTheRows_FoldsEveryRowInOrder(int readyAfterRows)
    {
        var inputs = ReportPreviewData.Create(40, Day, hostile: true);
        for (var i = 0; i < inputs.Rows.Count; i += 9) inputs.Rows[i].State = "falsepositive";
        var expected = DailyReportBuilder.Build(inputs, Calendar, new ReportOptions(), Console);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (readyAfterRows == 0) ready.SetResult();

        var folding = DailyReportBuilder.FoldAsync(Rows(inputs.Rows, ready, readyAfterRows, TestContext.Current.CancellationToken), ready.Task, () => new DailyReportFold(Day, Calendar, new ReportOptions(), inputs.Vulnerabilities, inputs.Sources, Console, inputs.Now));
        if (readyAfterRows < 0)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.False(folding.IsCompleted);
            ready.SetResult();
        }

        var actual = (await folding).ToReport(inputs.TenantId, expected.PreviousFigures, inputs.Coverage, inputs.PreviousCoverage);

        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
        Assert.Equal(5, actual.FalsePositivesExcluded);
        Assert.Equal(35, actual.Incidents.Count);
    }

    [Fact]
    public async Task FoldAsync_ProfilesFail_Throws()
    {
        var inputs = ReportPreviewData.Create(5, Day);
        var ready = Task.FromException(new InvalidOperationException("profiles unreadable"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DailyReportBuilder.FoldAsync(Rows(inputs.Rows, null, 0, TestContext.Current.CancellationToken), ready, () => throw new InvalidOperationException("not reached")));

        Assert.Equal("profiles unreadable", error.Message);
    }

    /// <summary>The rows as a store yields them; <paramref name="ready"/> is completed once <paramref name="readyAfterRows"/> have come.</summary>
    private static async IAsyncEnumerable<IncidentEntity> Rows(IReadOnlyList<IncidentEntity> rows, TaskCompletionSource? ready, int readyAfterRows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return rows[i];
            if (i + 1 == readyAfterRows) ready?.SetResult();
        }
    }
}
