using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Tests.Infrastructure;
using NodaTime;

namespace IncidentFunctions.Tests.Digest;

/// <summary>The delivery ledger on Azurite: one post per day and channel across concurrent runs, failures and crashes.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class DeliveryLedgerTests
{
    private static readonly LocalDate Day = new(2026, 11, 19);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(3);
    private readonly ManualClock _clock = new();

    public DeliveryLedgerTests(AzuriteFixture azurite)
    {
        Ledger = new DeliveryLedger(
            TestStorage.Clients(azurite.ConnectionString, UniqueNames.TablePrefix()),
            _clock);
    }

    private static ChannelOptions Channel(ChannelKind kind = ChannelKind.Slack) => new() { Name = "chat", Kind = kind, Url = new Uri("https://hooks.example/x") };

    private static ChatPayload Payload => new(ChannelKind.Slack, "{}", 0, 0);

    private DeliveryLedger Ledger { get; }

    [Fact]
    public async Task TryBeginAsync_FirstRun_ClaimsWithALeaseAndADeliveryId()
    {
        var ct = TestContext.Current.CancellationToken;

        var claim = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, "sha", ct);

        Assert.Equal(ClaimDecision.Send, claim.Decision);
        Assert.StartsWith("d-42-20261119-chat-", claim.Row.DeliveryId, StringComparison.Ordinal);
        var row = (await Ledger.GetRangeAsync(42, Day, Day, ct))[(Day, "chat")];
        Assert.Equal(DeliveryState.Attempting, row.ReadState());
        Assert.Equal(_clock.GetUtcNow() + Lease, row.LeaseUntil);
        Assert.Equal("sha", row.ReportSha256);
    }

    [Fact]
    public async Task TryBeginAsync_ConcurrentRuns_ExactlyOneMaySend()
    {
        var ct = TestContext.Current.CancellationToken;

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct)));

        Assert.Single(claims, c => c.Decision == ClaimDecision.Send);
        Assert.All(claims.Where(c => c.Decision != ClaimDecision.Send), c => Assert.Equal(ClaimDecision.InProgressElsewhere, c.Decision));
    }

    [Fact]
    public async Task TryBeginAsync_AfterDelivered_NeverSendsAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var claim = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct);
        Assert.True(await Ledger.CompleteAsync(claim, new DeliveryOutcome(DeliveryResult.Delivered, 200, 1, null), Payload, ct));
        _clock.Advance(TimeSpan.FromDays(1));

        var again = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct);

        Assert.Equal(ClaimDecision.AlreadyDelivered, again.Decision);
        Assert.Equal(claim.Row.DeliveryId, again.Row.DeliveryId);
        Assert.NotNull(again.Row.PayloadSha256);
    }

    [Fact]
    public async Task TryBeginAsync_AfterFailed_SendsAgainUnderTheSameDeliveryId()
    {
        var ct = TestContext.Current.CancellationToken;
        var claim = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct);
        await Ledger.CompleteAsync(claim, new DeliveryOutcome(DeliveryResult.Failed, 500, 5, "HTTP 500"), Payload, ct);

        var again = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct);

        Assert.Equal(ClaimDecision.Send, again.Decision);
        Assert.Equal(claim.Row.DeliveryId, again.Row.DeliveryId);
        Assert.Equal(2, again.Row.Runs);
    }

    [Theory]
    [InlineData(ChannelKind.Slack)]
    [InlineData(ChannelKind.Teams)]
    [InlineData(ChannelKind.Discord)]
    public async Task TryBeginAsync_ChatRunCrashedAfterClaiming_IsRecordedUnknownAndNeverReposted(ChannelKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await Ledger.TryBeginAsync(42, Day, Channel(kind), Lease, null, ct); // the run dies here: post sent or not, nobody knows

        var duringLease = await Ledger.TryBeginAsync(42, Day, Channel(kind), Lease, null, ct);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var afterLease = await Ledger.TryBeginAsync(42, Day, Channel(kind), Lease, null, ct);
        var later = await Ledger.TryBeginAsync(42, Day, Channel(kind), Lease, null, ct);

        Assert.Equal(ClaimDecision.InProgressElsewhere, duringLease.Decision);
        Assert.Equal(ClaimDecision.OutcomeUnknown, afterLease.Decision);
        Assert.True(afterLease.Recovered);
        Assert.Equal(ClaimDecision.OutcomeUnknown, later.Decision);
        Assert.False(later.Recovered);
        Assert.Equal(DeliveryState.Unknown, (await Ledger.GetRangeAsync(42, Day, Day, ct))[(Day, "chat")].ReadState());
    }

    [Fact]
    public async Task TryBeginAsync_GenericRunCrashed_ResendsUnderTheSameDeliveryIdForTheReceiverToDeduplicate()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await Ledger.TryBeginAsync(42, Day, Channel(ChannelKind.Generic), Lease, null, ct);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));

        var again = await Ledger.TryBeginAsync(42, Day, Channel(ChannelKind.Generic), Lease, null, ct);

        Assert.Equal(ClaimDecision.Send, again.Decision);
        Assert.True(again.Recovered);
        Assert.Equal(first.Row.DeliveryId, again.Row.DeliveryId);
    }

    [Fact]
    public async Task TryBeginAsync_UnknownOutcome_ChatStopsGenericRetries()
    {
        var ct = TestContext.Current.CancellationToken;
        var chat = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct);
        await Ledger.CompleteAsync(chat, new DeliveryOutcome(DeliveryResult.Unknown, null, 1, "sent but not answered"), Payload, ct);
        var generic = await Ledger.TryBeginAsync(7, Day, Channel(ChannelKind.Generic), Lease, null, ct);
        await Ledger.CompleteAsync(generic, new DeliveryOutcome(DeliveryResult.Unknown, null, 1, "sent but not answered"), Payload, ct);

        Assert.Equal(ClaimDecision.OutcomeUnknown, (await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct)).Decision);
        Assert.Equal(ClaimDecision.Send, (await Ledger.TryBeginAsync(7, Day, Channel(ChannelKind.Generic), Lease, null, ct)).Decision);
    }

    [Fact]
    public async Task CompleteAsync_RowTakenOverMeanwhile_ReportsFalseAndKeepsTheNewerRun()
    {
        var ct = TestContext.Current.CancellationToken;
        var slow = await Ledger.TryBeginAsync(42, Day, Channel(ChannelKind.Generic), Lease, null, ct);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var takeover = await Ledger.TryBeginAsync(42, Day, Channel(ChannelKind.Generic), Lease, null, ct);
        Assert.Equal(ClaimDecision.Send, takeover.Decision);

        var recorded = await Ledger.CompleteAsync(slow, new DeliveryOutcome(DeliveryResult.Failed, 500, 1, "late"), Payload, ct);

        Assert.False(recorded);
        Assert.Equal(DeliveryState.Attempting, (await Ledger.GetRangeAsync(42, Day, Day, ct))[(Day, "chat")].ReadState());
    }

    [Fact]
    public async Task ExpireAsync_FailedOrMissing_BecomesExpiredOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var claim = await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct);
        await Ledger.CompleteAsync(claim, new DeliveryOutcome(DeliveryResult.Failed, 500, 1, null), Payload, ct);

        Assert.True(await Ledger.ExpireAsync(42, Day, Channel(), ct));
        Assert.False(await Ledger.ExpireAsync(42, Day, Channel(), ct));
        Assert.True(await Ledger.ExpireAsync(42, Day.PlusDays(-1), Channel(), ct));
        Assert.Equal(ClaimDecision.Expired, (await Ledger.TryBeginAsync(42, Day, Channel(), Lease, null, ct)).Decision);
    }

    [Fact]
    public async Task TryBeginAsync_WeekMonthAndDayStartingTogether_AreSeparateDeliveries()
    {
        var ct = TestContext.Current.CancellationToken;
        var monday = new LocalDate(2026, 6, 1); // a Monday and the 1st: its day, week and month start together
        var week = IncidentFunctions.Calendar.ReportPeriod.WeekOf(monday);
        var month = IncidentFunctions.Calendar.ReportPeriod.MonthOf(monday);
        var day = await Ledger.TryBeginAsync(42, monday, Channel(), Lease, null, ct);
        await Ledger.CompleteAsync(day, new DeliveryOutcome(DeliveryResult.Delivered, 200, 1, null), "sha", ct);

        var weekly = await Ledger.TryBeginAsync(42, week, Channel(), Lease, null, ct);
        var monthly = await Ledger.TryBeginAsync(42, month, Channel(), Lease, null, ct);
        await Ledger.CompleteAsync(weekly, new DeliveryOutcome(DeliveryResult.Delivered, 200, 1, null), "sha", ct);
        var weeklyAgain = await Ledger.TryBeginAsync(42, week, Channel(), Lease, null, ct);

        Assert.Equal(ClaimDecision.Send, weekly.Decision);
        Assert.Equal(ClaimDecision.Send, monthly.Decision);
        Assert.Equal(ClaimDecision.AlreadyDelivered, weeklyAgain.Decision);
        Assert.StartsWith("w-42-2026-W23-chat-", weekly.Row.DeliveryId, StringComparison.Ordinal);
        Assert.StartsWith("m-42-2026-06-chat-", monthly.Row.DeliveryId, StringComparison.Ordinal);
        // The day range never picks up the week's or month's rows, and each period's read finds only its own.
        var days = await Ledger.GetRangeAsync(42, monday.PlusDays(-40), monday.PlusDays(40), ct);
        Assert.Equal(day.Row.DeliveryId, Assert.Single(days).Value.DeliveryId);
        Assert.Equal(DeliveryState.Delivered, (await Ledger.GetAsync(42, [week], ct))[(monday, "chat")].ReadState());
        Assert.Equal(DeliveryState.Attempting, (await Ledger.GetAsync(42, [month], ct))[(monday, "chat")].ReadState());
    }
}
