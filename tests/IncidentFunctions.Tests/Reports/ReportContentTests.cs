using System.Security.Cryptography;
using IncidentFunctions.Calendar;
using IncidentFunctions.Reports;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Reports;

/// <summary>A report just generated is served from the bytes it stored; one found current is read from its blob.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportContentTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private AppHarness? _app;

    [Fact]
    public async Task GetOrCreateWithContentAsync_Day_GivesTheStoredBytesOnlyToTheCallThatGenerated()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await StartAsync(ct);
        var service = app.Get<DailyReportService>();
        var day = app.Get<ReportCalendar>().DayOf(app.Clock.GetUtcNow()).PlusDays(-1);

        var first = await service.GetOrCreateWithContentAsync(day, ct);
        var again = await service.GetOrCreateWithContentAsync(day, ct);

        Assert.NotNull(first.Generated);
        Assert.Null(again.Generated);
        Assert.Equal(first.File.ETag, again.File.ETag);
        Assert.Equal(await ReadAsync(service.OpenReadAsync(first.File, ct)), first.Generated);
        Assert.Equal(first.Generated, await ReadAsync(service.OpenReadAsync(first.File, first.Generated, ct)));
        Assert.Equal(first.File.Sha256, Convert.ToHexStringLower(SHA256.HashData(first.Generated)));
    }

    [Fact]
    public async Task GetOrCreateWithContentAsync_Week_GivesTheStoredBytesOnlyToTheCallThatGenerated()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await StartAsync(ct);
        var service = app.Get<PeriodReportService>();
        var week = ReportPeriod.WeekOf(app.Get<ReportCalendar>().DayOf(app.Clock.GetUtcNow()).PlusDays(-1));

        var first = await service.GetOrCreateWithContentAsync(week, ct);
        var again = await service.GetOrCreateWithContentAsync(week, ct);

        Assert.NotNull(first.Generated);
        Assert.Null(again.Generated);
        Assert.Equal(first.File.ETag, again.File.ETag);
        Assert.Equal(await ReadAsync(service.OpenReadAsync(first.File, week, ct)), first.Generated);
        Assert.Equal(first.File.Sha256, Convert.ToHexStringLower(SHA256.HashData(first.Generated)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private static async Task<byte[]> ReadAsync(Task<(ReportFile File, Stream Content)> open)
    {
        var (_, content) = await open;
        await using (content)
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    private async Task<AppHarness> StartAsync(CancellationToken cancellationToken)
    {
        _app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Ingestion:InitialLookback"] = "2.00:00:00",
            ["Storage:ReportsContainer"] = "r" + Guid.NewGuid().ToString("N")[..20],
        });
        await _app.PullAsync(cancellationToken);
        return _app;
    }
}
