using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Testing;
using IncidentFunctions.Text;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The model's shortcuts give what the plain computation gives: values cleaned once per report
/// (<see cref="TextMemo"/>), top targets ranked before only their candidates are cleaned, and rows read with only the
/// columns the report uses (<see cref="ReportColumns"/>).
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class DailyReportBuilderShortcutTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Render_RowsWithOnlyTheColumnsTheReportReads_GiveTheSamePdfAsWholeRows(bool hostile)
    {
        var day = new LocalDate(2026, 11, 20);
        var whole = ReportPreviewData.Create(300, day, hostile: hostile);
        // False positives are left out of every figure: the column that says so must be read on both days.
        for (var i = 0; i < whole.Rows.Count; i += 11) whole.Rows[i].State = "falsepositive";
        for (var i = 0; i < whole.PreviousRows.Count; i += 7) whole.PreviousRows[i].State = "falsepositive";
        var asRead = whole with
        {
            Rows = whole.Rows.Select(r => ReportPreviewData.AsRead(r, ReportColumns.Listed)).ToList(),
            PreviousRows = whole.PreviousRows.Select(r => ReportPreviewData.AsRead(r, ReportColumns.Figures)).ToList(),
        };
        var calendar = new ReportCalendar("UTC");
        var console = new Uri("https://console.example/");

        var expected = DailyReportBuilder.Build(whole, calendar, new ReportOptions(), console);
        var actual = DailyReportBuilder.Build(asRead, calendar, new ReportOptions(), console);

        Assert.Equal(expected.PreviousFigures, actual.PreviousFigures);
        Assert.Equal(whole.PreviousRows.Count - ((whole.PreviousRows.Count + 6) / 7), actual.PreviousFigures.Incidents);
        Assert.Equal(Pdf(expected), Pdf(actual));
        Assert.All(asRead.PreviousRows, r => Assert.Null(r.Path));
        Assert.All(asRead.Rows, r => Assert.Equal("", r.Day));
    }

    private static byte[] Pdf(DailyReport report) => new DailyReportDocument(report, PageGeometry.A4Landscape).Render().Pdf;

    [Theory]
    [InlineData("sqli", 60)]
    [InlineData("https://evil.example/login?x=1", 120)]
    [InlineData("مثال\u202E.اختبار", 120)]
    [InlineData("z\u0301\u0302\u0303\u0304\u0305", 16)]
    [InlineData("", 60)]
    [InlineData("a@evil.example", 5)]
    public void Inert_RepeatedValue_EqualsAFreshCleaning(string value, int maxChars)
    {
        var memo = new TextMemo(new Dictionary<long, VulnerabilityEntity>(), consoleBase: null);

        Assert.Equal(UntrustedText.Inert(value, maxChars), memo.Inert(value, maxChars));
        Assert.Equal(UntrustedText.Inert(value, maxChars), memo.Inert(value, maxChars));
        Assert.Equal(UntrustedText.Inert(value, maxChars + 1), memo.Inert(value, maxChars + 1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\u200B")]
    [InlineData("xss")]
    public void Short_AnyValue_EqualsTheBuilders(string? value)
    {
        var memo = new TextMemo(new Dictionary<long, VulnerabilityEntity>(), consoleBase: null);

        Assert.Equal(DailyReportBuilder.Short(value, "unknown"), memo.Short(value, "unknown"));
        Assert.Equal(DailyReportBuilder.Short(value, "unknown"), memo.Short(value, "unknown"));
    }

    [Theory]
    [InlineData("https://my.wallarm.com/")]
    [InlineData(null)]
    public void ConsoleLink_RepeatedIssues_EqualTheBuilders(string? console)
    {
        var consoleBase = console is null ? null : new Uri(console);
        var memo = new TextMemo(new Dictionary<long, VulnerabilityEntity>(), consoleBase);

        foreach (var id in new long[] { 7, 0, -1, 8, 7 })
        {
            Assert.Equal(DailyReportBuilder.ConsoleLinkFor(consoleBase, id), memo.ConsoleLink(id));
        }

        Assert.Same(memo.ConsoleLink(7), memo.ConsoleLink(7));
    }

    [Fact]
    public void IssueTitle_KnownAndUnknownIssues_EqualTheBuilders()
    {
        var vulnerabilities = new Dictionary<long, VulnerabilityEntity>
        {
            [7] = new() { Title = "Open redirect to https://evil.example" },
            [8] = new() { Title = "  " },
        };
        var memo = new TextMemo(vulnerabilities, consoleBase: null);

        foreach (var id in new long[] { 7, 8, 9, 7 })
        {
            Assert.Equal(DailyReportBuilder.IssueTitle(id, vulnerabilities), memo.IssueTitle(id));
        }
    }

    [Fact]
    public void Build_HostileDay_RowsEqualRowsBuiltWithoutTheMemo()
    {
        var inputs = ReportPreviewData.Create(300, new LocalDate(2026, 11, 20));
        var console = new Uri("https://my.wallarm.com/");
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions(), console);

        var plain = inputs.Rows.Where(r => !DailyReportBuilder.IsFalsePositive(r))
            .Select(r => DailyReportBuilder.ToIncidentRow(r, inputs.Sources.Profiles, inputs.Vulnerabilities, console, inputs.Now, new ReportOptions().OngoingWindow))
            .ToDictionary(r => r.Id);

        Assert.Equal(plain.Count, report.Incidents.Count);
        foreach (var row in report.Incidents)
        {
            var expected = plain[row.Id];
            Assert.Equal((expected.AttackType, expected.Domain, expected.Method, expected.VulnerabilityTitle, expected.Path, expected.Parameter), (row.AttackType, row.Domain, row.Method, row.VulnerabilityTitle, row.Path, row.Parameter));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1_000)]
    public void TopTargets_TiesAtTheCut_EqualRankingEveryGroup(int top)
    {
        // Ties on incidents and hits at every rank; the cleaned text decides, and cleaning reorders (a defanged
        // "https://" sorts after "evil[.]…", a bidi override becomes an escape).
        var rows = new List<IncidentEntity>();
        string[] domains = ["b.example", "https://a.example", "a.example", "\u202Ez.example", "evil.example", "c.example"];
        string[] paths = ["/x", "/a", "/\u200B", "/login?next=https://evil.example"];
        var n = 0;
        foreach (var domain in domains)
        {
            foreach (var path in paths)
            {
                for (var k = 0; k < 1 + (n % 3); k++) rows.Add(new IncidentEntity { Domain = domain, Path = path, Hits = n % 2 });
                n++;
            }
        }

        rows.Add(new IncidentEntity { Domain = null, Path = null, Hits = 1 });

        var expected = rows.GroupBy(r => (Domain: r.Domain ?? "", Path: r.Path ?? ""))
            .Select(g => new TargetRow(
                UntrustedText.Inert(g.Key.Domain, DailyReportBuilder.MaxDomainChars),
                UntrustedText.Inert(g.Key.Path, DailyReportBuilder.MaxPathChars, showCutCount: true),
                g.Count(),
                g.Sum(r => r.Hits)))
            .OrderByDescending(t => t.Incidents).ThenByDescending(t => t.Hits).ThenBy(t => t.Domain, StringComparer.Ordinal).ThenBy(t => t.Path, StringComparer.Ordinal)
            .Take(top)
            .ToList();

        Assert.Equal(expected, DailyReportBuilder.TopTargets(rows, top));
    }
}
