using IncidentFunctions.Reports;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportDemandTests
{
    [Fact]
    public async Task Requested_FirstTime_CancelsTheFirstRequestToken()
    {
        using var demand = new ReportDemand();
        var token = demand.FirstRequest;
        var cancelled = new TaskCompletionSource();
        using var registration = token.Register(cancelled.SetResult);

        Assert.False(demand.AnyRequested);
        Assert.False(token.IsCancellationRequested);
        demand.Requested();
        demand.Requested();

        Assert.True(demand.AnyRequested);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(demand.FirstRequest.IsCancellationRequested);
    }
}
