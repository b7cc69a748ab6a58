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
    public async Task BuildAsync_PulledSimulatorDay_AgreesWithTheReportsFigures()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);

        var report = await app.Get<DailyReportBuilder>().BuildAsync(tenant, day, ct);
        var published = await app.Get<DigestReportPublisher>().PublishAsync(day, ct);
        var digest = await app.Get<DigestComposer>().BuildAsync(tenant, ReportPeriod.Day(day), published, ct);

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

        var service = app.Get<DailyReportService>();
        var (_, content) = await service.OpenReadAsync(await service.GetOrCreateAsync(day, ct), ct);
        await using (content)
        {
            Assert.Equal(link.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct)));
        }

        Assert.Equal(app.Clock.GetUtcNow().AddDays(7).ToUnixTimeSeconds(), link.ExpiresAt.ToUnixTimeSeconds());
        Assert.StartsWith("https://func.example.test/api/reports/shared/daily/", link.Url.AbsoluteUri, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(link.Url.Query);
        Assert.Equal(SignatureCheck.Valid, app.Get<ReportLinkSigner>().Verify(
            DailyReportEndpoint.PathFor(ReportCalendar.IsoDay(day)), query["exp"], query["kid"], query["sig"]));
    }

    [Fact]
    public async Task BuildAsync_DayPublishedByGeneratingItsPdf_ComposesFromThatModelNotALaterRead()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);
        var period = ReportPeriod.Day(day);
        var publisher = app.Get<DigestReportPublisher>();
        var composer = app.Get<DigestComposer>();

        var published = await publisher.PublishAsync(period, ct);
        await AddLateIncidentAsync(app, day, ct);
        var digest = await composer.BuildAsync(tenant, period, published, ct);

        // The message says what the PDF it links to says, although storage has one incident more by now.
        var model = Assert.IsType<DailyReport>(published.DayModel);
        var stored = await app.Get<DailyReportBuilder>().BuildAsync(tenant, day, ct);
        Assert.Equal(model.Figures.Incidents + 1, stored.Figures.Incidents);
        Assert.Equal(model.Figures.Incidents, digest.Figures.Incidents);
        Assert.Equal(model.Figures.Hits, digest.Figures.Hits);

        // The next run (a quarter of an hour later) finds the stored PDF out of date and generates it again from the
        // current rows; the run after it reuses that PDF, gets no model, and reads the day for the message.
        app.Clock.Advance(TimeSpan.FromMinutes(15));
        var regenerated = await publisher.PublishAsync(period, ct);
        var reused = await publisher.PublishAsync(period, ct);
        Assert.Equal(stored.Figures.Incidents, regenerated.DayModel?.Figures.Incidents);
        Assert.Null(reused.DayModel);
        Assert.Equal(regenerated.Link.Sha256, reused.Link.Sha256);
        Assert.Equal(stored.Figures.Incidents, (await composer.BuildAsync(tenant, period, reused, ct)).Figures.Incidents);
    }

    [Fact]
    public async Task BuildAsync_WeekPublishedByGeneratingItsPdf_ComposesFromThatModelNotALaterRead()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, tenant, day) = await PulledYesterdayAsync(ct);
        var week = ReportPeriod.WeekOf(day);
        var composer = app.Get<DigestComposer>();

        var published = await app.Get<DigestReportPublisher>().PublishAsync(week, ct);
        await AddLateIncidentAsync(app, day, ct);
        var digest = await composer.BuildAsync(tenant, week, published, ct);

        var model = Assert.IsType<PeriodReport>(published.PeriodModel);
        Assert.Null(published.DayModel);
        var stored = await app.Get<PeriodReportBuilder>().BuildAsync(tenant, week, ct);
        Assert.Equal(model.Figures.Incidents + 1, stored.Figures.Incidents);
        Assert.Equal(model.Figures.Incidents, digest.Figures.Incidents);
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
