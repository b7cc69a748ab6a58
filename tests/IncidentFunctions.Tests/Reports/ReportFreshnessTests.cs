using IncidentFunctions.Reports;
using IncidentFunctions.Tests.Infrastructure;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportFreshnessTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Revalidate = TimeSpan.FromMinutes(2);

    private static ReportFile File(string revision, DateTimeOffset? staleAfter = null)
        => new(1, new LocalDate(2026, 11, 20), "daily/1/2026/2026-11-20.pdf", new Uri("http://127.0.0.1/reports/x.pdf"), "\"e\"", default, "sha", 1, Start, revision, 1, staleAfter);

    [Fact]
    public async Task GetOrRefreshAsync_ConcurrentCallers_RefreshOnceAndShareTheFile()
    {
        var freshness = new ReportFreshness<int>();
        var clock = new ManualClock(Start);
        var refreshes = 0;
        var release = new TaskCompletionSource();
        async Task<ReportFile> Refresh(DateTimeOffset now, CancellationToken ct)
        {
            Interlocked.Increment(ref refreshes);
            await release.Task.WaitAsync(ct);
            return File("r1");
        }

        var callers = Enumerable.Range(0, 8).Select(_ => freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken)).ToList();
        release.SetResult();
        var files = await Task.WhenAll(callers);

        Assert.Equal(1, refreshes);
        Assert.All(files, f => Assert.Same(files[0], f));
    }

    [Fact]
    public async Task GetOrRefreshAsync_AfterTheRevalidationInterval_ChecksAgain_AndForgetChecksAtOnce()
    {
        var freshness = new ReportFreshness<int>();
        var clock = new ManualClock(Start);
        var refreshes = 0;
        Task<ReportFile> Refresh(DateTimeOffset now, CancellationToken ct) => Task.FromResult(File("r" + Interlocked.Increment(ref refreshes)));

        await freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken);
        clock.Advance(Revalidate - TimeSpan.FromSeconds(1));
        var cached = await freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken);
        Assert.Equal(("r1", 1), (cached.Revision, refreshes));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("r2", (await freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken)).Revision);

        freshness.Forget(7);
        Assert.Equal("r3", (await freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken)).Revision);
        Assert.Equal("r4", (await freshness.GetOrRefreshAsync(8, Revalidate, clock, Refresh, TestContext.Current.CancellationToken)).Revision);
    }

    [Fact]
    public async Task GetOrRefreshAsync_FileWhoseOngoingLabelsRanOut_IsCheckedAgainWithinTheInterval()
    {
        var freshness = new ReportFreshness<int>();
        var clock = new ManualClock(Start);
        var refreshes = 0;
        Task<ReportFile> Refresh(DateTimeOffset now, CancellationToken ct)
            => Task.FromResult(File("r" + Interlocked.Increment(ref refreshes), staleAfter: now + TimeSpan.FromSeconds(30)));

        await freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("r2", (await freshness.GetOrRefreshAsync(7, Revalidate, clock, Refresh, TestContext.Current.CancellationToken)).Revision);
    }
}
