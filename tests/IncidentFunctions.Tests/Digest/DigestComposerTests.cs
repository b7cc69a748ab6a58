using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using NodaTime;

namespace IncidentFunctions.Tests.Digest;

/// <summary>The digest as a view of the report model: same figures and rows, its own choice of incidents and local gap times.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class DigestComposerTests
{
    private static readonly LocalDate Day = new(2026, 11, 19);
    private static readonly ReportCalendar Berlin = new("Europe/Berlin");
    private static readonly Uri Console = new("https://my.wallarm.com/");
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 7, 0, 0, TimeSpan.Zero);
    private static readonly ReportLink Link = new(new Uri("https://func.example.test/api/reports/shared/daily/2026-11-19.pdf?exp=1&kid=k1&sig=EXAMPLE-not-a-signature"), Now.AddDays(7), new string('a', 64), 1_000, 2);

    [Fact]
    public void Compose_ReportModel_HasItsFiguresAndListsTheMostHitIncidentsWithTheirEnrichment()
    {
        var rows = new[]
        {
            Row("a:1", hits: 40, ip: "203.0.113.9"),
            Row("a:2", hits: 12, ip: "198.51.100.4", status: IncidentStatus.Monitoring),
            Row("a:3", hits: 900, state: "FalsePositive"),
            Row("a:4", hits: 7),
        };
        var sources = new SourceDay(
            new Dictionary<string, SourceProfile>
            {
                ["203.0.113.9"] = new() { Ip = "203.0.113.9", CountryCode = "NL", CountryName = "Netherlands", SourceType = SourceType.Tor, MaliciousLists = ["firehol-level1"] },
            },
            []);
        var model = Build(rows, [Row("p:1", hits: 3)], sources);

        var digest = DigestComposer.Compose(model, Link, Berlin, new DigestOptions { TopIncidents = 2 });

        Assert.Equal(new DigestFigures(3, 59, 3, 2, 0, 1, 0), digest.Figures);
        Assert.Equal(new DigestFigures(1, 3, 1, 1, 0, 0, 0), digest.PreviousFigures);
        Assert.Equal(["a:1", "a:2"], digest.TopIncidents.Select(i => i.Id));
        var top = digest.TopIncidents[0];
        Assert.Equal("Netherlands", top.Country);
        Assert.Equal("Tor", top.SourceType);
        Assert.Equal(["firehol-level1"], top.MaliciousLists);
        Assert.Equal("SQL injection in order export", top.SecurityIssue);
        Assert.Equal(new Uri(Console, "object/11"), top.ConsoleLink);
        var unenriched = digest.TopIncidents[1];
        Assert.Equal("DE", unenriched.Country);
        Assert.Null(unenriched.SourceType);
        Assert.Equal(IncidentStatus.Monitoring, unenriched.Status);
        Assert.True(digest.SourcesEnriched);
        Assert.Null(digest.Coverage);
        Assert.Same(Link, digest.Report);
        Assert.Equal("Europe/Berlin", digest.TimeZone);
        Assert.Equal(Now, digest.GeneratedAt);
    }

    [Fact]
    public void Compose_MarkedReport_TitleLeadsWithTheReportsMarkingAndTheMessageCarriesIt()
    {
        var options = new DigestOptions();
        var marked = Build([Row("a:1", hits: 1)], [], SourceDay.Empty, new ReportOptions { Marking = " TLP:AMBER\u200B " });
        var unmarked = Build([Row("a:1", hits: 1)], [], SourceDay.Empty);

        var digest = DigestComposer.Compose(marked, Link, Berlin, options);
        var plain = DigestComposer.Compose(unmarked, Link, Berlin, options);

        // Trimmed, the invisible character shown as an escape (as the PDF shows it): what the linked report carries.
        Assert.Equal(marked.Marking, digest.Marking);
        Assert.StartsWith("TLP:AMBER", digest.Marking, StringComparison.Ordinal);
        Assert.Equal($"[{digest.Marking}] {options.Title}", digest.Title);
        Assert.Null(plain.Marking);
        Assert.Equal(options.Title, plain.Title);
    }

    [Fact]
    public void Compose_EqualHits_MoreThreateningThenLatestHitFirst()
    {
        var first = new DateTimeOffset(2026, 11, 19, 9, 0, 0, TimeSpan.Zero);
        var model = Build(
            [Row("t:low", hits: 5, threat: 10, first: first.AddHours(2)), Row("t:high", hits: 5, threat: 90, first: first), Row("t:late", hits: 5, threat: 10, first: first.AddHours(5))],
            [],
            SourceDay.Empty);

        var digest = DigestComposer.Compose(model, Link, Berlin, new DigestOptions());

        Assert.Equal(["t:high", "t:late", "t:low"], digest.TopIncidents.Select(i => i.Id));
        Assert.False(digest.SourcesEnriched);
    }

    [Fact]
    public void Compose_GapsInTheDayAndTheDayBefore_SaysThemInReportTimeWithTheDaysEndAs2400()
    {
        var window = Berlin.WindowOf(Day);
        var gaps = new[]
        {
            new TimeWindow(window.From.AddHours(2), window.From.AddHours(5.5)),
            new TimeWindow(window.To.AddHours(-1), window.To),
        };
        var previousWindow = Berlin.WindowOf(Day.PlusDays(-1));
        var model = Build([Row("a:1", hits: 1)], [], SourceDay.Empty) with
        {
            Coverage = new DayCoverage(Day, window, [new TimeWindow(window.From, gaps[0].From)], gaps),
            PreviousCoverage = new DayCoverage(Day.PlusDays(-1), previousWindow, [], [previousWindow]),
        };

        var digest = DigestComposer.Compose(model, Link, Berlin, new DigestOptions());

        var gap = Assert.IsType<CoverageGap>(digest.Coverage);
        Assert.Equal(["02:00–05:30", "23:00–24:00"], gap.MissingLocal);
        Assert.Equal(gaps, gap.Missing);
        Assert.Equal(TimeSpan.FromHours(4.5), gap.MissingDuration);
        Assert.Equal(["00:00–24:00"], Assert.IsType<CoverageGap>(digest.PreviousCoverage).MissingLocal);
    }

    private static DailyReport Build(IncidentEntity[] rows, IncidentEntity[] previous, SourceDay sources, ReportOptions? options = null)
    {
        var complete = new DayCoverage(Day, Berlin.WindowOf(Day), [Berlin.WindowOf(Day)], []);
        var issues = new Dictionary<long, VulnerabilityEntity> { [11] = new() { Title = "SQL injection in order export" } };
        var inputs = new DailyReportInputs(77, Day, rows, previous, complete, issues, sources, SourceDay.Empty, Now);
        return DailyReportBuilder.Build(inputs, Berlin, options ?? new ReportOptions(), Console);
    }

    private static IncidentEntity Row(
        string id,
        long hits,
        string ip = "192.0.2.1",
        IncidentStatus status = IncidentStatus.Blocked,
        string? state = null,
        long? threat = null,
        DateTimeOffset? first = null)
    {
        var start = first ?? new DateTimeOffset(2026, 11, 19, 10, 0, 0, TimeSpan.Zero);
        var incident = new Incident
        {
            TenantId = 77,
            Id = id,
            FirstSeen = start,
            LastSeen = start.AddMinutes(20),
            AttackType = "sqli",
            Domain = "shop.example.com",
            Path = "/api/orders",
            Method = "POST",
            Hits = hits,
            IpCount = 1,
            TopIps = [new IncidentSourceIp(ip, hits, "DE")],
            VulnerabilityId = 11,
            Status = status,
            State = state,
            Threat = threat,
        };
        return IncidentEntity.From(incident, "77-20261119", "2026-11-19", "Europe/Berlin", start.AddHours(1));
    }
}
