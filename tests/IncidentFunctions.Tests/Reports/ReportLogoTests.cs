using Azure.Storage.Blobs;
using IncidentFunctions.Calendar;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using SkiaSharp;
using UglyToad.PdfPig.Content;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The company logo uploaded to the reports container, drawn above every report's title, against real Azurite. Each
/// test has its own container: a logo in the shared one would appear in every other test's reports.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportLogoTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private AppHarness? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetOrCreateWithContentAsync_LogoUploaded_FirstPageOfDayAndWeekShowsItAboveTheTitle()
    {
        var app = await StartAsync();
        await UploadAsync(app, Png(800, 200));
        var day = Yesterday(app);

        foreach (var pdf in new[]
        {
            (await app.Get<DailyReportService>().GetOrCreateWithContentAsync(day, Ct)).Generated!,
            (await app.Get<PeriodReportService>().GetOrCreateWithContentAsync(ReportPeriod.WeekOf(day), Ct)).Generated!,
        })
        {
            using var document = PdfText.Open(pdf);
            var page = document.GetPage(1);
            var image = Assert.Single(page.GetImages());
            // 800×200 pixels drawn 36 points high keeps its 4:1 proportions: 144 × 36 points.
            Assert.Equal(144, image.BoundingBox.Width, 0.5);
            Assert.Equal(36, image.BoundingBox.Height, 0.5);
            Assert.Equal((800, 200), (image.WidthInSamples, image.HeightInSamples)); // 200 pixels high already: not scaled
            var title = page.GetWords().MaxBy(w => w.BoundingBox.Height)!; // the title's 18 points are the page's largest text
            Assert.True(image.BoundingBox.Bottom > title.BoundingBox.Top, $"the logo ({image.BoundingBox}) is above the title ({title.BoundingBox})");
            Assert.Equal(page.GetWords().Min(w => w.BoundingBox.Left), image.BoundingBox.Left, 1); // at the text's left edge
            Assert.All(document.GetPages().Skip(1), p => Assert.Empty(p.GetImages()));
        }
    }

    [Fact]
    public async Task GetOrCreateWithContentAsync_LargeLogo_IsScaledToTwoHundredPixelsHighAndAThirdOfTheWidthAtMost()
    {
        var app = await StartAsync();
        await UploadAsync(app, Png(4000, 400)); // 10:1: a third of the text width limits it before 36 points of height do

        var pdf = (await app.Get<DailyReportService>().GetOrCreateWithContentAsync(Yesterday(app), Ct)).Generated!;

        using var document = PdfText.Open(pdf);
        var image = Assert.Single(document.GetPage(1).GetImages());
        Assert.Equal((2000, 200), (image.WidthInSamples, image.HeightInSamples));
        Assert.True(image.BoundingBox.Height < 36);
        Assert.Equal(10, image.BoundingBox.Width / image.BoundingBox.Height, 0.1);
    }

    [Fact]
    public async Task GetOrCreateWithContentAsync_LogoAddedAfterAReport_TheReportIsDrawnAgainWithIt()
    {
        var app = await StartAsync();
        var service = app.Get<DailyReportService>();
        var day = Yesterday(app);
        var before = await service.GetOrCreateWithContentAsync(day, Ct);
        Assert.Empty(ImagesOnFirstPage(before.Generated!));

        await UploadAsync(app, Png(300, 100));
        var after = await service.GetOrCreateWithContentAsync(day, Ct);

        Assert.NotNull(after.Generated);
        Assert.NotEqual(before.File.Revision, after.File.Revision);
        Assert.Single(ImagesOnFirstPage(after.Generated));

        // Unchanged, it is not drawn again.
        Assert.Null((await service.GetOrCreateWithContentAsync(day, Ct)).Generated);
    }

    [Theory]
    [InlineData("not an image", "it is not a PNG, JPEG, GIF, BMP or WebP image")]
    [InlineData("empty", "it is empty")]
    [InlineData("too large", "it is 1,048,577 bytes, more than 1,048,576")]
    [InlineData("too wide", "it is 4097×10 pixels; each side must be 1 to 4,096")]
    [InlineData("too many pixels", "it is 2049×2048 pixels; each side must be 1 to 4,096 and the whole at most 4,194,304 pixels")]
    public async Task GetOrCreateWithContentAsync_UnusableLogo_ReportHasNoLogoAndTheReasonIsLoggedOnce(string file, string reason)
    {
        var app = await StartAsync();
        byte[] content = file switch
        {
            "not an image" => "<svg xmlns='http://www.w3.org/2000/svg'/>"u8.ToArray(),
            "empty" => [],
            "too large" => [.. Png(10, 10), .. new byte[ReportLogo.MaxBytes + 1 - Png(10, 10).Length]],
            "too wide" => Png(4097, 10),
            _ => Png(2049, 2048),
        };
        await UploadAsync(app, content);
        var service = app.Get<DailyReportService>();

        var first = await service.GetOrCreateWithContentAsync(Yesterday(app), Ct);
        var second = await service.GetOrCreateWithContentAsync(Yesterday(app).PlusDays(-1), Ct);

        Assert.Empty(ImagesOnFirstPage(first.Generated!));
        Assert.Empty(ImagesOnFirstPage(second.Generated!));
        var logged = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1421);
        Assert.Contains(reason, logged.Message, StringComparison.Ordinal);
        Assert.Contains(ReportOptions.DefaultLogoBlob, logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_LogoTurnedOff_ReadsNothing()
    {
        var app = await StartAsync(new() { ["Reports:LogoBlob"] = "" });
        await UploadAsync(app, Png(300, 100));

        Assert.Null(await app.Get<ReportLogo>().GetAsync(Ct));
        Assert.Empty(ImagesOnFirstPage((await app.Get<DailyReportService>().GetOrCreateWithContentAsync(Yesterday(app), Ct)).Generated!));
    }

    [Fact]
    public async Task GetAsync_StorageUnreachableAfterTheLogoWasRead_KeepsTheLogoAndLogsTheFailure()
    {
        var app = await StartAsync();
        await UploadAsync(app, Png(300, 100));
        var connection = new RefusedConnection();
        using var logo = LogoReadThrough(app, connection);
        var before = await logo.GetAsync(Ct);
        Assert.NotNull(before);

        connection.Refusing = true;
        var during = await logo.GetAsync(Ct); // every retry refused: the SDK throws its AggregateException

        Assert.Same(before, during);
        var logged = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1422);
        Assert.Contains(ReportOptions.DefaultLogoBlob, logged.Message, StringComparison.Ordinal);
        Assert.Null(logged.Exception); // one line: the outage said in words, no stack trace
        Assert.Contains("attempts failed, the last: ", logged.Message, StringComparison.Ordinal);

        // Back again: a changed file is read.
        connection.Refusing = false;
        await UploadAsync(app, Png(400, 100));
        var after = await logo.GetAsync(Ct);
        Assert.NotNull(after);
        Assert.NotEqual(before!.Version, after.Version);
        Assert.Equal((400, 100), (after.Image.Width, after.Image.Height)); // the new file, not the one kept
    }

    [Fact]
    public async Task GetAsync_StorageUnreachableFromTheStart_NoLogoAndNoException()
    {
        var app = await StartAsync();
        await UploadAsync(app, Png(300, 100));
        var connection = new RefusedConnection { Refusing = true };
        using var logo = LogoReadThrough(app, connection);

        Assert.Null(await logo.GetAsync(Ct)); // the container lookup fails first: it too is storage trouble

        connection.Refusing = false;
        Assert.NotNull(await logo.GetAsync(Ct));
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1422);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task<AppHarness> StartAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Storage:ReportsContainer"] = "logo" + Guid.NewGuid().ToString("N")[..20];
        settings["Reports:CacheRevalidateAfter"] = "00:00:00"; // every request checks the logo and the day again
        _app = await AppHarness.StartAsync(azurite, 616, new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), settings);
        return _app;
    }

    private static LocalDate Yesterday(AppHarness app) => app.Get<ReportCalendar>().DayOf(app.Clock.GetUtcNow()).PlusDays(-1);

    private static async Task UploadAsync(AppHarness app, byte[] content)
    {
        var storage = app.Get<StorageClients>();
        var container = await storage.GetContainerAsync(storage.Options.ReportsContainer, Ct);
        await container.GetBlobClient(ReportOptions.DefaultLogoBlob).UploadAsync(BinaryData.FromBytes(content), overwrite: true, Ct);
    }

    /// <summary>A logo of its own (nothing read yet) whose blob requests pass <paramref name="connection"/>, with quick retries.</summary>
    private static ReportLogo LogoReadThrough(AppHarness app, RefusedConnection connection)
    {
        var shared = app.Get<StorageClients>();
        var storage = new StorageClients(Options.Create(shared.Options), shared.Tables, shared.Queues, new BlobServiceClient(app.ConnectionString, connection.Install(new BlobClientOptions())),
            app.Services.GetRequiredService<IAzureClientFactory<Azure.Storage.Queues.QueueServiceClient>>());
        return new ReportLogo(storage, app.Get<IOptions<ReportOptions>>(), app.Clock, app.Get<ILogger<ReportLogo>>());
    }

    private static List<IPdfImage> ImagesOnFirstPage(byte[] pdf)
    {
        using var document = PdfText.Open(pdf);
        return document.GetPage(1).GetImages().ToList();
    }

    /// <summary>A PNG of a dark blue bar with a lighter square at its left end.</summary>
    private static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0x1F, 0x3A, 0x68));
            using var paint = new SKPaint { Color = new SKColor(0x7F, 0xB2, 0xE5) };
            canvas.DrawRect(0, 0, Math.Min(width, height), height, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
