using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IncidentFunctions.Tests.Incidents;

/// <summary>The pull's writer: full transactions as partitions fill, remainders and change marks at the flush, against real Azurite.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed partial class IncidentBatchWriterTests(AzuriteFixture azurite)
{
    private const long Tenant = 616;
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate Monday = new(2026, 11, 23);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<AppHarness> StartAsync() => AppHarness.StartAsync(azurite, Tenant, Now);

    /// <summary>An incident on Monday (UTC report zone), or on Monday and Tuesday when <paramref name="acrossMidnight"/>.</summary>
    private static Incident Incident(int n, long hits = 1, bool acrossMidnight = false) => new()
    {
        TenantId = Tenant,
        Id = $"a:{n}",
        FirstSeen = new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.Zero),
        LastSeen = new DateTimeOffset(2026, 11, acrossMidnight ? 24 : 23, acrossMidnight ? 1 : 23, 30, 0, TimeSpan.Zero),
        AttackType = "sqli",
        Hits = hits,
        VulnerabilityId = 7,
    };

    private static async Task<List<IncidentEntity>> DayAsync(AppHarness app, LocalDate day)
    {
        var rows = new List<IncidentEntity>();
        await foreach (var row in app.Get<IncidentStore>().GetDayAsync(Tenant, day, Ct)) rows.Add(row);
        return rows;
    }

    private static Task<IReadOnlyDictionary<LocalDate, string>> MarksAsync(AppHarness app)
        => app.Get<DayChangeMarks>().GetAsync(Tenant, Monday, Monday.PlusDays(2), [Monday, Monday.PlusDays(1), Monday.PlusDays(2)], Ct);

    [Fact]
    public async Task AddAsync_PartitionFillsUp_SendsFullTransactionsAndHoldsTheRemainderUntilFlush()
    {
        await using var app = await StartAsync();
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);

        for (var n = 0; n < 250; n++) await writer.AddAsync(Incident(n), Ct);
        var sentBeforeFlush = writer.RowsSent;
        var written = await writer.FlushAsync(Ct);

        Assert.Equal(200, sentBeforeFlush);
        Assert.Equal(250, written);
        Assert.Equal(250, (await DayAsync(app, Monday)).Count);
    }

    [Fact]
    public async Task AddAsync_RowsArriveOutOfKeyOrder_EachTransactionListsThemInKeyOrder()
    {
        var transactions = new TransactionSpy();
        await using var app = await AppHarness.StartAsync(azurite, o => o.ClientId = Tenant, clock: new ManualClock(Now),
            services: s => s.Configure<TableClientOptions>("Default", o => o.AddPolicy(transactions, HttpPipelinePosition.PerCall)));
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);

        // Wallarm's order (newest first) against key order: a full transaction, then a remainder sent at the flush.
        for (var n = 149; n >= 0; n--) await writer.AddAsync(Incident(n), Ct);
        await writer.FlushAsync(Ct);

        Assert.Equal([100, 50], transactions.RowKeys.Select(keys => keys.Count));
        Assert.All(transactions.RowKeys, keys => Assert.Equal(keys.Order(StringComparer.Ordinal), keys));
        Assert.Equal(150, (await DayAsync(app, Monday)).Count);
    }

    /// <summary>The RowKeys of each table transaction's operations, in the order the request body lists them.</summary>
    private sealed partial class TransactionSpy : HttpPipelineSynchronousPolicy
    {
        public List<List<string>> RowKeys { get; } = [];

        public override void OnSendingRequest(HttpMessage message)
        {
            if (!message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) || message.Request.Content is not { } content) return;
            using var body = new MemoryStream();
            content.WriteTo(body, CancellationToken.None);
            var operations = Operation().Matches(System.Text.Encoding.UTF8.GetString(body.ToArray()));
            // The incident rows only: the change marks are written in transactions too.
            if (operations.Count == 0 || !operations[0].Groups["table"].Value.EndsWith("incidents", StringComparison.Ordinal)) return;
            lock (RowKeys) RowKeys.Add([.. operations.Select(m => m.Groups["key"].Value)]);
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"/(?<table>\w+)\(PartitionKey='[^']*',RowKey='(?<key>[^']*)'\)")]
        private static partial System.Text.RegularExpressions.Regex Operation();
    }

    [Fact]
    public async Task FlushAsync_RowsOnTwoDays_BumpsTheirMarksOnlyOnceTheRowsAreWritten()
    {
        await using var app = await StartAsync();
        var before = await MarksAsync(app);
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);

        for (var n = 0; n < 150; n++) await writer.AddAsync(Incident(n, acrossMidnight: true), Ct);
        var beforeFlush = await MarksAsync(app);
        await writer.FlushAsync(Ct);
        var after = await MarksAsync(app);

        Assert.Equal(0, writer.RowsSent); // the flush starts a new count
        Assert.Equal(before, beforeFlush);
        Assert.NotEqual(before[Monday], after[Monday]);
        Assert.NotEqual(before[Monday.PlusDays(1)], after[Monday.PlusDays(1)]);
        Assert.Equal(before[Monday.PlusDays(2)], after[Monday.PlusDays(2)]);
        Assert.Equal(150, (await DayAsync(app, Monday.PlusDays(1))).Count);
    }

    [Fact]
    public async Task AddAsync_SameIncidentAgain_TheLaterVersionIsStored()
    {
        await using var app = await StartAsync();
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);

        // Pending and replaced before it was sent (0–49), and sent in a full transaction then written again (0–99).
        for (var n = 0; n < 50; n++) await writer.AddAsync(Incident(n, hits: 1), Ct);
        for (var n = 0; n < 100; n++) await writer.AddAsync(Incident(n, hits: 2), Ct);
        for (var n = 99; n >= 0; n--) await writer.AddAsync(Incident(n, hits: 3), Ct);
        var written = await writer.FlushAsync(Ct);

        var rows = await DayAsync(app, Monday);
        Assert.Equal(200, written);
        Assert.Equal(100, rows.Count);
        Assert.All(rows, r => Assert.Equal(3, r.Hits));
    }

    [Fact]
    public async Task FlushAsync_TransactionFails_ThrowsAndBumpsNoMark()
    {
        await using var app = await StartAsync();
        var before = await MarksAsync(app);
        var storage = app.Get<StorageClients>();
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);
        await (await storage.GetTableAsync(storage.Options.IncidentsTable, Ct)).DeleteAsync(Ct);

        for (var n = 0; n < 30; n++) await writer.AddAsync(Incident(n), Ct);
        var failure = await Assert.ThrowsAnyAsync<RequestFailedException>(() => writer.FlushAsync(Ct));

        Assert.Equal(404, failure.Status);
        Assert.Equal(before, await MarksAsync(app));
    }

    [Fact]
    public async Task AddAsync_AfterATransactionFailed_Throws()
    {
        await using var app = await StartAsync();
        var storage = app.Get<StorageClients>();
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);
        await (await storage.GetTableAsync(storage.Options.IncidentsTable, Ct)).DeleteAsync(Ct);

        for (var n = 0; n < 100; n++) await writer.AddAsync(Incident(n), Ct);
        var failure = await Assert.ThrowsAnyAsync<RequestFailedException>(async () =>
        {
            // The failed transaction's response may take a moment; adds go on until it is in.
            for (var n = 100; n < 100_000; n++)
            {
                await writer.AddAsync(Incident(n), Ct);
                if (n % 100 == 0) await Task.Delay(10, Ct);
            }
        });

        Assert.Equal(404, failure.Status);
    }

    [Fact]
    public async Task FlushAsync_HostileLongPaths_StaysUnderTheTransactionBodyLimit()
    {
        await using var app = await StartAsync();
        await using var writer = await app.Get<IncidentStore>().OpenWriterAsync(Now, Ct);
        // JSON escapes each of these as \u003C: 100 such rows make a 9.6 MB body, and the service (and Azurite) refuse
        // any transaction over 4 MiB, which would fail the window on every run.
        var path = "/" + new string('<', IncidentEntity.MaxPathChars - 1);

        for (var n = 0; n < 100; n++) await writer.AddAsync(Incident(n) with { Path = path }, Ct);
        var written = await writer.FlushAsync(Ct);

        var rows = await DayAsync(app, Monday);
        Assert.Equal(100, written);
        Assert.Equal(100, rows.Count);
        Assert.All(rows, r => Assert.Equal(path, r.Path));
    }
}
