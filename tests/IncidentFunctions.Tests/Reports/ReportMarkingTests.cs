using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Digest;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// <c>Reports:Marking</c>: a handling marking such as TLP:AMBER at the right of every page's header and footer, on a
/// day and a week of real rows (several pages each), and first in the name of every file downloaded or attached,
/// against real Azurite.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportMarkingTests(AzuriteFixture azurite) : IAsyncDisposable
{
    private AppHarness? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetOrCreateWithContentAsync_Marking_DayAndWeekShowItOnEveryPageAndInTheirTitleAndKeywords()
    {
        var app = await StartAsync("TLP:AMBER");
        var day = Yesterday(app);

        foreach (var pdf in new[]
        {
            (await app.Get<DailyReportService>().GetOrCreateWithContentAsync(day, Ct)).Generated!,
            (await app.Get<PeriodReportService>().GetOrCreateWithContentAsync(ReportPeriod.WeekOf(day), Ct)).Generated!,
        })
        {
            using var document = PdfText.Open(pdf);
            // Also where a viewer's title bar, a file list or a document store shows it: the title and the keywords.
            Assert.StartsWith("[TLP:AMBER] ", document.Information.Title, StringComparison.Ordinal);
            Assert.StartsWith("TLP:AMBER, ", document.Information.Keywords, StringComparison.Ordinal);
            Assert.True(document.NumberOfPages > 1, $"{document.NumberOfPages} page(s): too few to tell a running marking");
            foreach (var page in document.GetPages())
            {
                var words = page.GetWords().ToList();
                var marks = words.Where(w => w.Text == "TLP:AMBER").OrderByDescending(w => w.BoundingBox.Bottom).ToList();
                Assert.Equal(2, marks.Count);
                var (header, footer) = (marks[0].BoundingBox, marks[1].BoundingBox);
                var pageNumber = words.Single(w => w.Text == "Page" && Math.Abs(w.BoundingBox.Bottom - header.Bottom) < 2).BoundingBox;
                var generated = words.Single(w => w.Text == "Generated" && w.BoundingBox.Top < page.Height * 0.1).BoundingBox;
                var contentRight = words.Where(w => Math.Abs(w.BoundingBox.Bottom - header.Bottom) < 2).Max(w => w.BoundingBox.Right);

                Assert.True(header.Bottom > page.Height * 0.9 && footer.Top < page.Height * 0.1, $"page {page.Number}: header {header}, footer {footer}");
                Assert.True(header.Right < pageNumber.Left && header.Left > page.Width / 2, $"page {page.Number}: the header's marking ({header}) stands just before page X of Y ({pageNumber})");
                Assert.Equal(contentRight, footer.Right, 1.5); // the footer's at the right edge of the text
                Assert.True(generated.Top < footer.Bottom, $"page {page.Number}: the generation line ({generated}) is under the footer's marking ({footer})");
            }
        }
    }

    [Fact]
    public async Task GetOrCreateWithContentAsync_LongMarkingWithControls_IsCleanedCutToAThirdOfTheWidthAndOverlapsNothing()
    {
        // 60 characters (the most the setting takes): a bidi override and a bell, then text far wider than a third of the page.
        var marking = "CONFIDENTIAL\u202E\u0007 " + new string('W', 45);
        var app = await StartAsync(marking, new() { ["Reports:CompanyName"] = "Example Corporation International Holdings, Security Operations" });

        var pdf = (await app.Get<DailyReportService>().GetOrCreateWithContentAsync(Yesterday(app), Ct)).Generated!;

        using var document = PdfText.Open(pdf);
        var page = document.GetPage(1);
        // The controls are shown as escapes, never applied (the words after them are not reversed), as attacker text is.
        Assert.DoesNotContain('\u202E', page.Text);
        Assert.DoesNotContain('\u0007', page.Text);
        Assert.StartsWith("[CONFIDENTIAL[U+202E][U+0007] WWW", document.Information.Title, StringComparison.Ordinal);
        var marks = page.GetWords().Where(w => w.Text.StartsWith("CONFIDENTIAL[U+202E][U+0007]", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, marks.Count);
        foreach (var mark in marks)
        {
            // Cut with an ellipsis at a third of the text width, wherever the cut falls.
            var line = page.GetWords().Where(w => Math.Abs(w.BoundingBox.Bottom - mark.BoundingBox.Bottom) < 1 && w.BoundingBox.Left >= mark.BoundingBox.Left
                && w.Text is not ("Page" or "of") && !w.Text.All(char.IsAsciiDigit)).ToList(); // not the header's page X of Y
            Assert.EndsWith("…", line.MaxBy(w => w.BoundingBox.Right)!.Text, StringComparison.Ordinal);
            Assert.InRange(line.Max(w => w.BoundingBox.Right) - mark.BoundingBox.Left, 0, PageGeometry.A4Landscape.ContentWidth / 3 + 1);
        }

        Assert.Empty(PdfText.OverlappingWords(pdf));
    }

    [Fact]
    public async Task GetOrCreateWithContentAsync_MarkingChangedAfterAReport_DayAndWeekAreDrawnAgainWithIt()
    {
        var app = await StartAsync("TLP:GREEN");
        var (daily, weekly) = (app.Get<DailyReportService>(), app.Get<PeriodReportService>());
        var day = Yesterday(app);
        var before = new[] { await daily.GetOrCreateWithContentAsync(day, Ct), await weekly.GetOrCreateWithContentAsync(ReportPeriod.WeekOf(day), Ct) };

        // As a restart with the setting changed would see it: the stored reports, new options.
        app.Get<IOptions<ReportOptions>>().Value.Marking = "TLP:RED";
        var after = new[] { await daily.GetOrCreateWithContentAsync(day, Ct), await weekly.GetOrCreateWithContentAsync(ReportPeriod.WeekOf(day), Ct) };

        foreach (var (old, now) in before.Zip(after))
        {
            Assert.Contains("TLP:GREEN", PdfText.Words(old.Generated!), StringComparison.Ordinal);
            Assert.NotNull(now.Generated);
            Assert.NotEqual(old.File.Revision, now.File.Revision);
            var words = PdfText.Words(now.Generated);
            Assert.Contains("TLP:RED", words, StringComparison.Ordinal);
            Assert.DoesNotContain("TLP:GREEN", words, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Downloads_Marking_PdfCsvAndEmailAttachmentNamesStartWithIt()
    {
        var app = await StartAsync("TLP:AMBER+STRICT", new()
        {
            ["Reports:PublicBaseUrl"] = "https://func.example.test/api/",
            ["Reports:SigningKeys:k1"] = Tests.Digest.DigestSenderTests.SigningKey,
            ["Reports:ActiveSigningKeyId"] = "k1",
        });
        var day = Yesterday(app);
        var iso = ReportCalendar.IsoDay(day);
        var week = ReportPeriod.WeekOf(day);

        var daily = await DispositionAsync<DailyReportEndpoint>(app, (DailyReportEndpoint.DateRouteValue, iso));
        var weekly = await DispositionAsync<PeriodReportEndpoint>(app, (ReportCsvEndpoint.KindRouteValue, "weekly"), (ReportCsvEndpoint.PeriodRouteValue, week.Key));
        var csv = await DispositionAsync<ReportCsvEndpoint>(app, (ReportCsvEndpoint.KindRouteValue, "daily"), (ReportCsvEndpoint.PeriodRouteValue, iso));
        var publisher = app.Get<DigestReportPublisher>();
        var attachment = await publisher.ReadAttachmentAsync(ReportPeriod.Day(day), (await publisher.PublishAsync(day, Ct)).Link, long.MaxValue, Ct);

        Assert.Equal(("inline", $"TLP-AMBER+STRICT_incident-report-{iso}.pdf"), daily);
        Assert.Equal(("inline", $"TLP-AMBER+STRICT_incident-report-{week.Key}.pdf"), weekly);
        Assert.Equal(("attachment", $"TLP-AMBER+STRICT_incidents-daily-{iso}.csv"), csv);
        Assert.Equal($"TLP-AMBER+STRICT_incident-report-{iso}.pdf", attachment?.FileName);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task<AppHarness> StartAsync(string marking, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Reports:Marking"] = marking;
        settings["Reports:CacheRevalidateAfter"] = "00:00:00"; // every request checks the day again
        _app = await AppHarness.StartAsync(azurite, settings: settings, clock: new ManualClock(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero)));
        await _app.PullAsync(Ct);
        return _app;
    }

    /// <summary>A request through the route (<see cref="AppHarness.SendAsync"/>): its Content-Disposition's type and file name (plain and UTF-8 the same).</summary>
    private static async Task<(string Type, string FileName)> DispositionAsync<TRoute>(AppHarness app, params (string Name, string Value)[] routeValues)
        where TRoute : class, IHttpRoute
    {
        var (status, headers, _) = await app.SendAsync<TRoute>(request =>
        {
            foreach (var (name, value) in routeValues) request.RouteValues[name] = value;
        });
        Assert.Equal(200, status);
        var disposition = ContentDispositionHeaderValue.Parse(headers.ContentDisposition.ToString());
        Assert.Equal(disposition.FileName.Value, disposition.FileNameStar.Value);
        return (disposition.DispositionType.Value!, disposition.FileNameStar.Value!);
    }

    private static LocalDate Yesterday(AppHarness app) => app.Get<ReportCalendar>().DayOf(app.Clock.GetUtcNow()).PlusDays(-1);
}

/// <summary>The marking in a file name: kept where a file system allows it, nothing that could move or break the name.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class ReportMarkingFileNameTests
{
    [Theory]
    [InlineData(null, "incident-report-2026-11-20.pdf")]
    [InlineData("TLP:AMBER", "TLP-AMBER_incident-report-2026-11-20.pdf")]
    [InlineData("TLP:AMBER+STRICT", "TLP-AMBER+STRICT_incident-report-2026-11-20.pdf")]
    [InlineData("Конфиденциально — для служебного", "Конфиденциально-для-служебного_incident-report-2026-11-20.pdf")]
    [InlineData("गोपनीय", "गोपनीय_incident-report-2026-11-20.pdf")]
    [InlineData("ลับ:เฉพาะ", "ลับ-เฉพาะ_incident-report-2026-11-20.pdf")]
    [InlineData("\u0301TLP", "TLP_incident-report-2026-11-20.pdf")]
    [InlineData("\"../..\\etc/passwd\"", "etc-passwd_incident-report-2026-11-20.pdf")]
    [InlineData("CONFIDENTIAL[U+202E][U+0007]", "CONFIDENTIAL-U+202E-U+0007_incident-report-2026-11-20.pdf")]
    [InlineData(" :: / ", "incident-report-2026-11-20.pdf")]
    public void FileName_Marking_PrefixesWhatAFileSystemTakes(string? marking, string expected)
        => Assert.Equal(expected, ReportMarking.FileName(marking, "incident-report-2026-11-20.pdf"));

    [Fact]
    public void FileName_LongMarking_KeepsItsFirstFortyCharacters()
        => Assert.Equal(new string('W', 40) + "_x.csv", ReportMarking.FileName(new string('W', 60), "x.csv"));
}
