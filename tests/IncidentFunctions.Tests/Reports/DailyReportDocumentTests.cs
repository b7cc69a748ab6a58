using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using NodaTime;
using UglyToad.PdfPig;

namespace IncidentFunctions.Tests.Reports;

public sealed class DailyReportDocumentTests
{
    private static readonly LocalDate Day = new(2026, 11, 20);
    private static readonly Uri Console = new("https://my.wallarm.com/");

    private static (DailyReport Report, RenderedReport Pdf) Render(DailyReportInputs inputs, ReportOptions? options = null)
    {
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), options ?? new ReportOptions { CompanyName = "Example Corp" }, Console);
        return (report, new DailyReportDocument(report, PageGeometry.A4Landscape).Render());
    }

    private static IncidentEntity Row(string id, string? path = "/api/items", string? parameter = "get.id", string? domain = "shop.example.com", string? state = null, DateTimeOffset? first = null)
    {
        var start = first ?? new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        var incident = new Incident
        {
            TenantId = 1,
            Id = id,
            FirstSeen = start,
            LastSeen = start.AddMinutes(30),
            AttackType = "sqli",
            Domain = domain,
            Path = path,
            Parameter = parameter,
            Hits = 10,
            IpCount = 1,
            TopIps = [new IncidentSourceIp("198.51.100.7", 10, "DE")],
            VulnerabilityId = 3,
            Status = IncidentStatus.Blocked,
            State = state,
        };
        return IncidentEntity.From(incident, "1-20261120", "2026-11-20", "UTC", start.AddHours(1));
    }

    [Fact]
    public void Render_Figures_MatchTheStoredIncidents()
    {
        var inputs = ReportPreviewData.Create(150, Day);
        var (report, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        var hits = inputs.Rows.Sum(r => r.Hits);
        var previousHits = inputs.PreviousRows.Sum(r => r.Hits);
        Assert.Equal(150, report.Figures.Incidents);
        Assert.Equal(hits, report.Figures.Hits);
        Assert.Contains($"Incidents{inputs.Rows.Count:N0}{inputs.PreviousRows.Count:N0}", text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Hits{hits:N0}{previousHits:N0}"), text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var blocked = inputs.Rows.Count(r => r.ReadStatus() == IncidentStatus.Blocked);
        Assert.Equal(blocked, report.Figures.Blocked);
        Assert.Equal(inputs.Rows.SelectMany(r => r.ReadTopIps()).Select(i => i.Ip).Distinct().Count(), report.Figures.UniqueSourceIps);
    }

    [Fact]
    public void Render_EveryIncident_AppearsExactlyOnceInLatestHitOrder()
    {
        var inputs = ReportPreviewData.Create(120, Day);
        var (report, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.All(inputs.Rows, r => Assert.Equal(1, PdfText.Count(text, r.IncidentId)));
        var positions = report.Incidents.Select(i => text.IndexOf(i.Id, StringComparison.Ordinal)).ToList();
        Assert.Equal(positions.Order().ToList(), positions);
        Assert.Equal(inputs.Rows.OrderByDescending(r => r.LastSeen).Select(r => r.IncidentId), report.Incidents.Select(i => i.Id));
    }

    [Fact]
    public void Render_EveryPage_SaysPageXOfYAndTablesRepeatTheirHeader()
    {
        var (_, pdf) = Render(ReportPreviewData.Create(200, Day));
        var pages = PdfText.Pages(pdf.Pdf);

        Assert.True(pages.Count > 5);
        Assert.Equal(pdf.Pages, pages.Count);
        for (var i = 0; i < pages.Count; i++) Assert.Contains($"Page {i + 1} of {pages.Count}", pages[i], StringComparison.Ordinal);
        var continued = pages.Where(p => p.Contains("Incidents (continued)", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(continued);
        Assert.All(continued, p => Assert.Contains("When (UTC)AttackHitsSourceTargetStatusParameterSecurity issue", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Render_Metadata_OutlineAndFonts_AreTheReportsOwn()
    {
        var (report, pdf) = Render(ReportPreviewData.Create(30, Day));
        using var document = PdfDocument.Open(pdf.Pdf);

        Assert.Equal("Daily incident report – 2026-11-20", document.Information.Title);
        Assert.Equal("Example Corp", document.Information.Author);
        Assert.Contains("2026-11-20", document.Information.Subject, StringComparison.Ordinal);
        Assert.Equal(report.GeneratedAt, document.Information.GetCreatedDateTimeOffset());
        Assert.True(document.TryGetBookmarks(out var bookmarks));
        var titles = bookmarks.GetNodes().Select(n => n.Title).ToList();
        Assert.Contains("Summary", titles);
        Assert.Contains("Charts", titles);
        Assert.Contains("Security issues exploited", titles);
        Assert.Contains(titles, t => t.StartsWith("Incidents (30", StringComparison.Ordinal));
        var fonts = document.GetPages().SelectMany(p => p.Letters).Select(l => l.FontName).Distinct().ToList();
        Assert.All(fonts, f => Assert.Contains("Noto", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Render_SameInputs_GiveTheSameBytes()
    {
        var inputs = ReportPreviewData.Create(40, Day);

        Assert.Equal(Render(inputs).Pdf.Pdf, Render(inputs).Pdf.Pdf);
    }

    [Fact]
    public void Render_AttackerStrings_AreNeutralisedBoundedAndVisible()
    {
        var hugePath = "/" + new string('x', 1_048_576);
        var rows = new List<IncidentEntity>
        {
            Row("bidi:1", path: "/files/\u202Efdp.exe", parameter: "user\u2066name\u2069"),
            Row("ctrl:1", path: "/a\u0000b\u0007c\u001b[31m", domain: "evil\u200B.example.com"),
            Row("huge:1", path: hugePath),
            Row("cjk:1", path: "/用户/登录?名字=测试"),
            Row("emoji:1", path: "/melt/🫠/fire/🔥"),
        };
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var (_, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.DoesNotContain('\u202E', text);
        Assert.DoesNotContain('\u2066', text);
        Assert.DoesNotContain('\u0000', text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u200B', text);
        Assert.Contains("[U+202E]fdp.exe", text, StringComparison.Ordinal);
        Assert.Contains("[U+0000]", text, StringComparison.Ordinal);
        Assert.Contains("[U+200B]", text, StringComparison.Ordinal);
        Assert.Contains("用户", text, StringComparison.Ordinal);
        Assert.Contains("登录", text, StringComparison.Ordinal);
        // No embedded font has U+1FAE0: it is drawn as its code point, never as a blank or a box.
        Assert.Contains("[U+1FAE0]", text, StringComparison.Ordinal);
        Assert.True(text.Contains("🔥", StringComparison.Ordinal) || text.Contains("[U+1F525]", StringComparison.Ordinal));
        Assert.Contains("…(+", text, StringComparison.Ordinal);
        Assert.True(pdf.Pdf.Length < 400_000, $"PDF is {pdf.Pdf.Length} bytes");
        Assert.DoesNotContain(new string('x', 400), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EmptyDay_IsAShortReportSayingNoIncidents()
    {
        var inputs = ReportPreviewData.Create(0, Day, enriched: false);

        var (report, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.True(report.IsEmpty);
        Assert.True(pdf.Pages <= 2, $"{pdf.Pages} pages");
        Assert.Contains("No incidents", text, StringComparison.Ordinal);
        Assert.Contains("enrichment", text, StringComparison.Ordinal);
        Assert.Contains("Page 1 of", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MissingHours_ShowAWarning()
    {
        var inputs = ReportPreviewData.Create(10, Day);
        var window = inputs.Coverage.DayWindow;
        var gap = new TimeWindow(window.From.AddHours(14), window.From.AddHours(16));
        inputs = inputs with
        {
            Coverage = new DayCoverage(Day, window, [new TimeWindow(window.From, gap.From), new TimeWindow(gap.To, window.To)], [gap]),
        };

        var text = string.Concat(PdfText.Pages(Render(inputs).Pdf.Pdf));

        Assert.Contains("Warning: incidents were not pulled for 2 h of this day (14:00–16:00)", text, StringComparison.Ordinal);
        Assert.Contains("Coverage: 00:00–14:00, 16:00–24:00 (22 h of 24 h pulled)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PreviousDayPartlyPulled_KeyFiguresSaySo()
    {
        var inputs = ReportPreviewData.Create(10, Day);
        var previous = new ReportCalendar("UTC").WindowOf(Day.PlusDays(-1));
        var pulled = new TimeWindow(previous.From.AddHours(18), previous.To);
        inputs = inputs with { PreviousCoverage = new DayCoverage(Day.PlusDays(-1), previous, [pulled], [new TimeWindow(previous.From, pulled.From)]) };

        var text = string.Concat(PdfText.Pages(Render(inputs).Pdf.Pdf));

        Assert.Contains("2026-11-19 (partial: 6 h of 24 h pulled)", text, StringComparison.Ordinal);
        Assert.Contains("Change (vs a partial day)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_CompleteCoverage_HasNoWarning()
    {
        var text = string.Concat(PdfText.Pages(Render(ReportPreviewData.Create(10, Day)).Pdf.Pdf));

        Assert.DoesNotContain("Warning:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_FalsePositives_AreLeftOut()
    {
        var rows = new List<IncidentEntity> { Row("keep:1"), Row("fp:1", state: "falsepositive"), Row("fp:2", state: "FalsePositive ") };
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var (report, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.Equal(1, report.Figures.Incidents);
        Assert.Equal(2, report.FalsePositivesExcluded);
        Assert.Contains("keep:1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fp:1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fp:2", text, StringComparison.Ordinal);
    }
}
