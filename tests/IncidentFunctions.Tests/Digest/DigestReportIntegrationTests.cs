using System.Security.Cryptography;
using IncidentFunctions.Calendar;
using IncidentFunctions.Digest;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using NodaTime;

namespace IncidentFunctions.Tests.Digest;

/// <summary>The digest against the report it links to: same figures, the stored PDF's hash, a link that verifies.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class DigestReportIntegrationTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _disposables = [];

    [Fact]
    public async Task Compose_PulledSimulatorDay_AgreesWithTheReportsFigures()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);

        var report = await app.Get<DailyReportBuilder>().BuildAsync(tenant, day, ct);
        var published = await app.Get<DigestReportPublisher>().PublishAsync(day, ct);
        var digest = app.Get<DigestComposer>().Compose(published);

        Assert.True(report.Figures.Incidents > 10, $"only {report.Figures.Incidents} incidents pulled");
        Assert.Equal(report.Figures.Incidents, digest.Figures.Incidents);
        Assert.Equal(report.Figures.Hits, digest.Figures.Hits);
        Assert.Equal(report.Figures.UniqueSourceIps, digest.Figures.UniqueSourceIps);
        Assert.Equal(report.Figures.Blocked, digest.Figures.Blocked);
        Assert.Equal(report.Figures.PartiallyBlocked, digest.Figures.PartiallyBlocked);
        Assert.Equal(report.Figures.Monitoring, digest.Figures.Monitoring);
        Assert.Equal(report.PreviousFigures.Incidents, digest.PreviousFigures.Incidents);
        Assert.Equal(report.Coverage.IsComplete, digest.Coverage is null);
        Assert.Equal(report.Incidents.OrderByDescending(i => i.Hits).First().Hits, digest.TopIncidents[0].Hits);
    }

    [Fact]
    public async Task PublishAsync_Day_HashesTheStoredPdfAndSignsALinkThatVerifies()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, _, day) = await PulledYesterdayAsync(ct);

        var link = (await app.Get<DigestReportPublisher>().PublishAsync(day, ct)).Link;

        Assert.Equal(link.Sha256, await StoredSha256Async(app, day, ct));
        Assert.Equal(app.Clock.GetUtcNow().AddDays(7).ToUnixTimeSeconds(), link.ExpiresAt.ToUnixTimeSeconds());
        Assert.StartsWith("https://func.example.test/api/reports/shared/daily/", link.Url.AbsoluteUri, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(link.Url.Query);
        Assert.Equal(SignatureCheck.Valid, app.Get<ReportLinkSigner>().Verify(
            DailyReportEndpoint.PathFor(ReportCalendar.IsoDay(day)), query["exp"], query["kid"], query["sig"]));
    }

    [Fact]
    public async Task Compose_DayPublishedByGeneratingItsPdf_SaysWhatThatPdfSaysAfterALateUpdate()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);
        var publisher = app.Get<DigestReportPublisher>();

        var published = await publisher.PublishAsync(day, ct);
        await AddLateIncidentAsync(app, day, ct);
        var digest = app.Get<DigestComposer>().Compose(published);

        // The message says what the PDF it links to says, although storage has one incident more by now.
        var model = Assert.IsType<DailyReport>(published.DayModel);
        var stored = await app.Get<DailyReportBuilder>().BuildAsync(tenant, day, ct);
        Assert.Equal(model.Figures.Incidents + 1, stored.Figures.Incidents);
        Assert.Equal(model.Figures.Incidents, digest.Figures.Incidents);
        Assert.Equal(model.Figures.Hits, digest.Figures.Hits);
        Assert.Equal(published.Link.Sha256, await StoredSha256Async(app, day, ct));
    }

    [Fact]
    public async Task PublishAsync_StoredPdfCheckedAMomentBeforeALateUpdate_GeneratesItAgainForTheModelItReads()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);
        var publisher = app.Get<DigestReportPublisher>();
        var first = await publisher.PublishAsync(day, ct);

        // Within Reports:CacheRevalidateAfter the stored PDF counts as current without a look at storage; the model read
        // for the message then has the late incident, and its check against the PDF's revision generates the PDF again.
        await AddLateIncidentAsync(app, day, ct);
        var again = await publisher.PublishAsync(day, ct);
        var reused = await publisher.PublishAsync(day, ct);

        var stored = await app.Get<DailyReportBuilder>().BuildAsync(tenant, day, ct);
        Assert.NotEqual(first.Link.Sha256, again.Link.Sha256);
        Assert.Equal(stored.Figures.Incidents, again.DayModel?.Figures.Incidents);
        Assert.Equal(again.Link.Sha256, await StoredSha256Async(app, day, ct));

        // With nothing new, the stored PDF is reused, with a model read now that shows the same.
        Assert.Equal(again.Link.Sha256, reused.Link.Sha256);
        Assert.Equal(stored.Figures.Incidents, reused.DayModel?.Figures.Incidents);
        Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1400 && r.Message.Contains("(changed)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compose_WeekPublishedByGeneratingItsPdf_SaysWhatThatPdfSaysAfterALateUpdate()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);
        var week = ReportPeriod.WeekOf(day);

        var publisher = app.Get<DigestReportPublisher>();

        var published = await publisher.PublishAsync(week, ct);
        await AddLateIncidentAsync(app, day, ct);
        var digest = app.Get<DigestComposer>().Compose(published);
        var again = await publisher.PublishAsync(week, ct);

        var model = Assert.IsType<PeriodReport>(published.PeriodModel);
        Assert.Null(published.DayModel);
        var stored = await app.Get<PeriodReportBuilder>().BuildAsync(tenant, week, ct);
        Assert.Equal(model.Figures.Incidents + 1, stored.Figures.Incidents);
        Assert.Equal(model.Figures.Incidents, digest.Figures.Incidents);

        // Published again within the minute the stored PDF counts as checked: the model read for the message has the
        // late incident, so the week's PDF is generated again with it.
        Assert.NotEqual(published.Link.Sha256, again.Link.Sha256);
        Assert.Equal(stored.Figures.Incidents, again.PeriodModel?.Figures.Incidents);
    }

    /// <summary>The SHA-256 of the day's PDF as stored now.</summary>
    private static async Task<string> StoredSha256Async(AppHarness app, LocalDate day, CancellationToken ct)
    {
        var service = app.Get<DailyReportService>();
        var (_, content) = await service.OpenReadAsync(await service.GetOrCreateAsync(day, ct), ct);
        await using (content)
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        }
    }

    /// <summary>An incident on <paramref name="day"/> the pull stores after the report was generated (a late update).</summary>
    private static async Task AddLateIncidentAsync(AppHarness app, LocalDate day, CancellationToken ct)
    {
        var first = app.Get<ReportCalendar>().WindowOf(day).From.AddHours(3);
        await app.Get<IncidentStore>().UpsertAsync(
            [TestIncidents.Sqli(app.Simulator.Options.ClientId, "late:1", first, TimeSpan.FromMinutes(5), hits: 7)], app.Clock.GetUtcNow(), ct);
    }

    /// <summary>A started app that has pulled the simulator's days: its tenant, and yesterday in the report zone.</summary>
    private async Task<(AppHarness App, long Tenant, LocalDate Yesterday)> PulledYesterdayAsync(CancellationToken ct)
    {
        var app = await StartAsync();
        await app.PullAsync(ct);
        return (app, app.Simulator.Options.ClientId, app.Get<ReportCalendar>().DayOf(app.Clock.GetUtcNow()).PlusDays(-1));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables) await d.DisposeAsync();
    }

    private async Task<AppHarness> StartAsync()
    {
        var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Ingestion:InitialLookback"] = "2.00:00:00",
            ["Reports:SigningKeys:k1"] = DigestSenderTests.SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
            ["Reports:PublicBaseUrl"] = "https://func.example.test/api/",
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
        });
        _disposables.Add(app);
        return app;
    }
}
