using System.Globalization;
using System.Text.RegularExpressions;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Testing;
using IncidentFunctions.Tests.Digest;
using IncidentFunctions.Tests.Text;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class DailyReportDocumentTests
{
    private static readonly LocalDate Day = new(2026, 11, 20);
    private static readonly Uri Console = new("https://my.wallarm.com/");

    private static (DailyReport Report, RenderedReport Pdf) Render(DailyReportInputs inputs, ReportOptions? options = null)
    {
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), options ?? new ReportOptions { CompanyName = "Example Corp" }, Console);
        return (report, new DailyReportDocument(report, PageGeometry.A4Landscape).Render());
    }

    private static IncidentEntity Row(string id, string? path = "/api/items", string? parameter = "get.id", string? domain = "shop.example.com", string? state = null, DateTimeOffset? first = null, long vulnerabilityId = 3, string? country = "DE")
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
            TopIps = [new IncidentSourceIp("198.51.100.7", 10, country)],
            VulnerabilityId = vulnerabilityId,
            Status = IncidentStatus.Blocked,
            State = state,
        };
        return IncidentEntity.From(incident, "1-20261120", "2026-11-20", "UTC", start.AddHours(1));
    }

    [Fact]
    public void Render_LabelsFromOldData_WarnsOnTheFirstPageAndListsTheDatasetsWithTheirDates()
    {
        var june = new DateTimeOffset(2026, 6, 17, 0, 0, 0, TimeSpan.Zero);
        var inputs = ReportPreviewData.Create(20, Day);
        var profiles = inputs.Sources.Profiles.Values.Select((p, i) => p with
        {
            Provenance = [new("country", "geo-whois-asn-country", "2.3.2026061719", june), new("sourceType", "tor-exits", null, new DateTimeOffset(2026, 11, 19 + (i % 2), 3, 0, 0, TimeSpan.Zero))],
        }).ToDictionary(p => p.Ip, StringComparer.Ordinal);

        var (report, pdf) = Render(inputs with { Sources = new(profiles, inputs.Sources.Attributions) });

        Assert.Equal(["geo-whois-asn-country", "tor-exits"], report.Datasets.Select(d => d.Source));
        var pages = PdfText.FlatPages(pdf.Pdf);
        var first = pages[0];
        Assert.Contains("Warning: source labels from geo-whois-asn-country come from data of 2026-06-17, 156 days before this day.", first, StringComparison.Ordinal);
        Assert.DoesNotContain("tor-exits", first, StringComparison.Ordinal); // a day old: not called out
        Assert.Contains("Source labels come from: geo-whois-asn-country (data of 2026-06-17), tor-exits (data of 2026-11-19 to 2026-11-20).", pages[^1], StringComparison.Ordinal);

        var (_, fresh) = Render(inputs);
        Assert.DoesNotContain("source labels from", PdfText.FlatPages(fresh.Pdf)[0], StringComparison.Ordinal);

        // Enrichment:StaleAfter of 200 days: the 156-day-old data is not called out, the list stays.
        var lenient = PdfText.FlatPages(new DailyReportDocument(report with { StaleDataAfter = TimeSpan.FromDays(200) }, PageGeometry.A4Landscape).Render().Pdf);
        Assert.DoesNotContain("source labels from", lenient[0], StringComparison.Ordinal);
        Assert.Contains("Source labels come from: geo-whois-asn-country (data of 2026-06-17)", lenient[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HostilePiecesGluedAtRandom_AreDrawnInertAndNeverLinked()
    {
        // The chat renderers' random hostile text, in every attacker field a row shows: nothing reorders, hides or rings,
        // no host is left whole, and the only links are the app's Console links.
        var random = new Random(20261202);
        var rows = Enumerable.Range(0, 60).Select(n => Row(
            "glued:" + n,
            path: DigestSamples.HostileGlued(random),
            parameter: DigestSamples.HostileGlued(random),
            domain: DigestSamples.HostileGlued(random),
            country: DigestSamples.HostileGlued(random))).ToList();
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var (report, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.Equal(60, report.Incidents.Count);
        foreach (var hidden in "\u202E\u202C\u2066\u2069\u200B\u0007\r")
        {
            Assert.DoesNotContain(hidden, text);
        }

        Assert.Contains("evil[.]example", text, StringComparison.Ordinal); // the hostile text is there, defanged
        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("://evil", text, StringComparison.Ordinal);
        Assert.All(PdfText.LinkTargets(pdf.Pdf), target => Assert.StartsWith(Console.AbsoluteUri, target, StringComparison.Ordinal));
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

    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_EveryIncident_AppearsExactlyOnceInLatestHitOrder(ReportLayout layout)
    {
        var inputs = ReportPreviewData.Create(120, Day);
        var (report, pdf) = Render(inputs, new ReportOptions { CompanyName = "Example Corp", Layout = layout });
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        // The compact table shows the attack id's distinctive part, the detailed one the whole id.
        string Shown(string id) => layout == ReportLayout.Compact ? IncidentsSection.ShortId(id) : id;
        Assert.All(inputs.Rows, r => Assert.Equal(1, PdfText.Count(text, Shown(r.IncidentId))));
        var positions = report.Incidents.Select(i => text.IndexOf(Shown(i.Id), StringComparison.Ordinal)).ToList();
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
        Assert.All(continued, p => Assert.Contains("When (UTC)AttackHitsSourceDomainPathStatusParameterIssueSecurity issueAttack id", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Render_Metadata_OutlineAndFonts_AreTheReportsOwn()
    {
        var (report, pdf) = Render(ReportPreviewData.Create(30, Day));
        using var document = PdfText.Open(pdf.Pdf);

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

    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_RowsBeyondTheLaidOutRowBudget_DrawTheSameBytesAsRowsKeptLaidOut(ReportLayout layout)
    {
        // Rows beyond the budget are laid out a second time when drawn; that must give exactly the lines they were
        // measured with, for every script and cut, or rows would overlap or change between sizes.
        var inputs = ReportPreviewData.Create(150, Day);
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions { CompanyName = "Example Corp", Layout = layout }, Console);

        var kept = new DailyReportDocument(report, PageGeometry.A4Landscape) { LaidOutRowBudget = int.MaxValue }.Render().Pdf;
        var relaidOut = new DailyReportDocument(report, PageGeometry.A4Landscape) { LaidOutRowBudget = 0 }.Render().Pdf;
        var mixed = new DailyReportDocument(report, PageGeometry.A4Landscape) { LaidOutRowBudget = 60 }.Render().Pdf;

        Assert.Equal(kept, relaidOut);
        Assert.Equal(kept, mixed);
    }

    [Fact]
    public void Render_WithARenderTrace_RecordsEveryPageAndRunAndDrawsTheSameDocument()
    {
        // The benchmark's no-layout baselines replay this trace, so it must hold what the report drew.
        var inputs = ReportPreviewData.Create(40, Day);
        var plain = Render(inputs).Pdf;
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions { CompanyName = "Example Corp" }, Console);
        using var trace = new RenderTrace();

        var traced = new DailyReportDocument(report, PageGeometry.A4Landscape).Render(trace);

        Assert.Equal(plain.Pages, traced.Pages);
        Assert.Equal(plain.Outline, traced.Outline);
        Assert.Equal(PdfText.Pages(plain.Pdf), PdfText.Pages(traced.Pdf));
        Assert.Equal(traced.Pages, trace.Pages.Count);
        Assert.Equal(Enumerable.Range(0, traced.Pages), trace.TextRuns.Select(r => r.Page).Distinct());
        Assert.Contains(trace.TextRuns, r => r.Page == 1 && r.Text == $"Page 2 of {traced.Pages}");
        Assert.NotEmpty(trace.Owned); // the CJK slices pruned for this render, which traced runs draw with
        Assert.Equal(DailyReportDocument.Creator, trace.Metadata.Creator);
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
            Row("emoji:1", path: "/melt/🫠/fire/🔥/\uE000/ა"),
        };
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var (_, pdf) = Render(inputs);
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.DoesNotContain('\u202E', text);
        Assert.DoesNotContain('\u2066', text);
        Assert.DoesNotContain('\u0000', text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u200B', text);
        Assert.Contains("[U+202E]fdp[.]exe", text, StringComparison.Ordinal);
        Assert.Contains("[U+0000]", text, StringComparison.Ordinal);
        Assert.Contains("[U+200B]", text, StringComparison.Ordinal);
        Assert.Contains("用户", text, StringComparison.Ordinal);
        Assert.Contains("登录", text, StringComparison.Ordinal);
        // Emoji are drawn (Noto Emoji); private use is escaped by UntrustedText, and Georgian, which no embedded font
        // has, is drawn as its code point: never a blank or a box.
        Assert.Contains("🫠", text, StringComparison.Ordinal);
        Assert.Contains("🔥", text, StringComparison.Ordinal);
        Assert.Contains("[U+E000]", text, StringComparison.Ordinal);
        Assert.Contains("[U+10D0]", text, StringComparison.Ordinal);
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

    /// <summary>Titles, domains and paths in every script the report draws, with the code points that must never be escaped.</summary>
    private static readonly (string Text, int From, int To)[] Scripts =
    [
        ("تجاوز المصادقة في لوحة التحكم", 0x0600, 0x06FF),
        ("עקיפת אימות בממשק הניהול", 0x0590, 0x05FF),
        ("प्रमाणीकरण बाईपास", 0x0900, 0x097F),
        ("การข้ามการยืนยันตัวตน", 0x0E00, 0x0E7F),
        ("로그인 페이지 인증 우회", 0xAC00, 0xD7AF),
        ("登录页面的身份验证绕过", 0x4E00, 0x9FFF),
        ("🔥👍🏽👨‍👩‍👧", 0x1F000, 0x1FAFF),
        ("প্রমাণীকরণ বাইপাস", 0x0980, 0x09FF),
        ("அங்கீகாரம்", 0x0B80, 0x0BFF),
    ];

    private static DailyReportInputs ScriptInputs()
    {
        var rows = Scripts.Select((s, i) => Row($"script:{i}", path: "/" + s.Text.Replace(' ', '/'), vulnerabilityId: 100 + i)).ToList();
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };
        var vulnerabilities = inputs.Vulnerabilities.ToDictionary(kv => kv.Key, kv => kv.Value);
        for (var i = 0; i < Scripts.Length; i++)
        {
            vulnerabilities[100 + i] = new VulnerabilityEntity { VulnerabilityId = 100 + i, Found = true, Title = Scripts[i].Text, Type = "sqli", Threat = 50, Status = "open" };
        }

        return inputs with { Vulnerabilities = vulnerabilities };
    }

    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_EveryScript_ReadsBackInLogicalOrderWithoutEscapes(ReportLayout layout)
    {
        var (_, pdf) = Render(ScriptInputs(), new ReportOptions { Layout = layout });
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        foreach (var (sample, from, to) in Scripts)
        {
            // Read back as typed: the Arabic and Hebrew titles in logical order, conjuncts and emoji sequences whole.
            Assert.True(text.Contains(sample, StringComparison.Ordinal), $"'{sample}' not read back");
            var escapes = Regex.Matches(text, @"\[U\+([0-9A-F]{4,6})\]").Select(m => int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            Assert.DoesNotContain(escapes, cp => cp >= from && cp <= to);
        }

        Assert.DoesNotContain(text, c => c is >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF'); // no presentation forms
    }

    [Fact]
    public void Render_ChartLabels_UseTheTablesFontsAndFallback()
    {
        // Attack types in other scripts: the chart draws them as the table does, never as escapes.
        var types = new[] { "حقن", "הזרקה", "इंजेक्शन", "ฉีด", "주입", "注入" };
        var rows = types.Select((t, i) =>
        {
            var row = Row($"chart:{i}", vulnerabilityId: 1);
            row.AttackType = t;
            return row;
        }).ToList();
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var text = string.Concat(PdfText.Pages(Render(inputs).Pdf.Pdf));

        Assert.All(types, t => Assert.True(PdfText.Count(text, t) >= 2, $"'{t}' is not both in the chart and the table"));
        Assert.DoesNotContain("[U+", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_HostileMultilingualReport_NoTwoWordsOverlap(ReportLayout layout)
    {
        var inputs = ReportPreviewData.Create(120, Day);

        var (_, pdf) = Render(inputs, new ReportOptions { CompanyName = "Example Corp · شركة المثال", Layout = layout });

        var overlaps = PdfText.OverlappingWords(pdf.Pdf);
        Assert.True(overlaps.Count == 0, string.Join("\n", overlaps.Take(20)));
    }

    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_AttackerUrls_AppearOnlyDefangedAndOnlyConsoleLinksAreLinks(ReportLayout layout)
    {
        var rows = new List<IncidentEntity>
        {
            Row("url:1", path: "https://evil.example/login", domain: "www.evil.example", parameter: "a@evil.example", vulnerabilityId: 7),
            Row("url:2", path: "/x?next=http://evil.example/", domain: "evil.example", vulnerabilityId: 8),
        };
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };
        var vulnerabilities = inputs.Vulnerabilities.ToDictionary(kv => kv.Key, kv => kv.Value);
        vulnerabilities[7] = new VulnerabilityEntity { VulnerabilityId = 7, Found = true, Title = "Login at https://evil.example/login or www.evil.example, mail a@evil.example", Threat = 90, Status = "open" };
        inputs = inputs with { Vulnerabilities = vulnerabilities };

        var (_, pdf) = Render(inputs, new ReportOptions { Layout = layout });
        var text = string.Concat(PdfText.Pages(pdf.Pdf));

        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("://evil", text, StringComparison.Ordinal);
        Assert.DoesNotContain("@evil", text, StringComparison.Ordinal);
        Assert.Contains("https[:]//evil[.]example/login", text, StringComparison.Ordinal);
        Assert.Contains("www[.]evil[.]example", text, StringComparison.Ordinal);
        Assert.Contains("a＠evil[.]example", text, StringComparison.Ordinal);

        var links = PdfText.LinkTargets(pdf.Pdf);
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.StartsWith(Console.AbsoluteUri + "object/", l, StringComparison.Ordinal));

        // Link style (the accent colour) is only ever the app's own link text: issue numbers and "Open in Wallarm Console".
        var accent = ((double)Typography.Accent.Red / 255, (double)Typography.Accent.Green / 255, (double)Typography.Accent.Blue / 255);
        var linkStyled = PdfText.WordsInColour(pdf.Pdf, accent);
        Assert.NotEmpty(linkStyled);
        Assert.All(linkStyled, w => Assert.Matches(@"^(#?[0-9]+|Open|in|Wallarm|Console)$", w));
    }

    /// <summary>Rows of one issue share the link's bytes in the document; each link still points at its own issue, whole.</summary>
    [Theory]
    [InlineData(ReportLayout.Compact)]
    [InlineData(ReportLayout.Detailed)]
    public void Render_RowsSharingAnIssue_EachLinkTargetsItsIssueExactly(ReportLayout layout)
    {
        var rows = new List<IncidentEntity>
        {
            Row("share:1", vulnerabilityId: 7),
            Row("share:2", vulnerabilityId: 8),
            Row("share:3", vulnerabilityId: 7),
            Row("share:4", vulnerabilityId: 7),
        };
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var (_, pdf) = Render(inputs, new ReportOptions { Layout = layout });

        var links = PdfText.LinkTargets(pdf.Pdf);
        Assert.Equal(["https://my.wallarm.com/object/7", "https://my.wallarm.com/object/8"], links.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(3 + 1, links.Count(l => l.EndsWith("/7", StringComparison.Ordinal))); // three incident rows and the issue's row
        Assert.Equal(1 + 1, links.Count(l => l.EndsWith("/8", StringComparison.Ordinal)));
    }

    private static readonly string[] LongestAttackTypes = ["mass_assignment", "overlimit_res", "data_bomb"];

    /// <summary>The compact table's attack column shows Wallarm's longest attack types whole (on two lines, broken at the underscore).</summary>
    [Fact]
    public void Render_CompactLayout_LongestAttackTypesShownWhole()
    {
        var rows = LongestAttackTypes.Select((type, i) =>
        {
            var row = Row($"type:{i}");
            row.AttackType = type;
            return row;
        }).ToList();
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = rows };

        var text = string.Concat(PdfText.Pages(Render(inputs).Pdf.Pdf));

        Assert.DoesNotContain("…", text.Replace("…(+", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("assignment", text, StringComparison.Ordinal);
        Assert.Contains("overlimit_", text, StringComparison.Ordinal);
    }

    /// <summary>The compact table's issue column shows the whole number (Wallarm's are five or six digits), linked or not.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Render_CompactLayout_SixDigitIssueNumbersShownWhole(bool linked)
    {
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = [Row("issue:1", vulnerabilityId: 888_888), Row("issue:2", vulnerabilityId: 10_001)] };
        var vulnerabilities = inputs.Vulnerabilities.ToDictionary(kv => kv.Key, kv => kv.Value);
        vulnerabilities[888_888] = new VulnerabilityEntity { VulnerabilityId = 888_888, Found = true, Title = "SQL injection in login", Threat = 80, Status = "open" };
        vulnerabilities[10_001] = new VulnerabilityEntity { VulnerabilityId = 10_001, Found = true, Title = "Path traversal", Threat = 60, Status = "open" };
        inputs = inputs with { Vulnerabilities = vulnerabilities };

        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions(), linked ? Console : null);
        var text = string.Concat(PdfText.Pages(new DailyReportDocument(report, PageGeometry.A4Landscape).Render().Pdf));

        Assert.Contains("#888888", text, StringComparison.Ordinal);
        Assert.Contains("#10001", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UntrustedTextCases.Gaps), MemberType = typeof(UntrustedTextCases))]
    public void Render_EveryUntrustedTextGap_ShowsTheSameSafeFormAsChat(string gap, string raw, string expected)
    {
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = [Row("gap:1", path: "/a", domain: raw, vulnerabilityId: 9)] };
        var vulnerabilities = inputs.Vulnerabilities.ToDictionary(kv => kv.Key, kv => kv.Value);
        vulnerabilities[9] = new VulnerabilityEntity { VulnerabilityId = 9, Found = true, Title = raw, Threat = 50, Status = "open" };

        var text = string.Concat(PdfText.Pages(Render(inputs with { Vulnerabilities = vulnerabilities }, new ReportOptions { Layout = ReportLayout.Detailed }).Pdf.Pdf));

        Assert.True(text.Contains(expected, StringComparison.Ordinal), $"{gap}: '{expected}' not in the PDF");
    }

    [Fact]
    public void Render_LongPathCutByTheCellsLineLimit_KeepsTheCutCountVisible()
    {
        var path = "/" + new string('a', 100_000);
        var inputs = ReportPreviewData.Create(0, Day) with { Rows = [Row("long:1", path: path)] };

        var text = string.Concat(PdfText.Pages(Render(inputs).Pdf.Pdf));

        // The compact cell shows two lines of the path; the count says how much of the stored path is not shown.
        var counts = Regex.Matches(text, @"a…\(\+([0-9,]+)\)").Select(m => long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(counts);
        Assert.Contains(counts, n => n > 99_700 && n < 100_000);
    }

    [Theory]
    [InlineData("\u202E\u202E", "[U+202E][U+202E]")]
    [InlineData("ABCDEFGHIJ", "…(+10)")] // stored as "…[truncated 10 chars]": shown as the count of what storage cut
    public void Render_CountryThatNeedsEscaping_ShowsTheEscapeNotABareMarker(string country, string shown)
    {
        var inputs = ReportPreviewData.Create(0, Day, enriched: false) with { Rows = [Row("country:1", country: country)] };

        var text = string.Concat(PdfText.Pages(Render(inputs, new ReportOptions { Layout = ReportLayout.Detailed }).Pdf.Pdf));

        Assert.Contains(shown, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_CompactLayout_217IncidentsFitIn15Pages()
    {
        var (_, pdf) = Render(ReportPreviewData.Create(217, Day, hostile: false));

        Assert.True(pdf.Pages <= 15, $"{pdf.Pages} pages");
    }
}
