using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Incidents;
using NodaTime;

namespace IncidentFunctions.Tests.Digest;

/// <summary>Fixed messages for golden files and limit tests. Change them only together with the golden files.</summary>
internal static class DigestSamples
{
    public static readonly Uri ReportUrl = new("https://func-incidents.example.net/api/reports/shared/daily/2026-11-19.pdf?exp=1795737600&kid=k1&sig=EXAMPLE-not-a-signature-day");
    public static readonly Uri ConsoleBase = new("https://my.wallarm.com/");
    public const string Zone = "Europe/Berlin";
    private static readonly DateTimeOffset Morning = new(2026, 11, 20, 7, 0, 12, TimeSpan.Zero);

    public static IncidentSummary Incident(int n, IncidentStatus status = IncidentStatus.Blocked) => new()
    {
        Id = $"attacks_production_7_202611_v_1:{1000 + n}",
        AttackType = n % 3 == 0 ? "xss" : n % 3 == 1 ? "sqli" : "rce",
        Domain = "shop.example.com",
        Path = $"/api/v1/orders/{n}/export.csv",
        Method = "POST",
        VulnerabilityId = 400 + n,
        SecurityIssue = $"SQL injection in order export (parameter id) #{n}",
        Status = status,
        Hits = 5_000 - (n * 317),
        FirstSeen = new DateTimeOffset(2026, 11, 19, 1, 12, 0, TimeSpan.Zero).AddMinutes(n * 37),
        LastSeen = new DateTimeOffset(2026, 11, 19, 9, 40, 0, TimeSpan.Zero).AddMinutes(n * 11),
        TopIp = $"203.0.113.{10 + n}",
        Country = n % 2 == 0 ? "Germany" : "Netherlands",
        SourceType = n == 3 ? null : n % 2 == 0 ? "Tor" : "Cloud",
        MaliciousLists = n == 1 ? ["spamhaus-drop", "firehol-level1"] : [],
        ConsoleLink = new Uri(ConsoleBase, $"object/{400 + n}"),
    };

    public static DigestMessage Digest(int incidents = 5, bool gap = true) => new()
    {
        TimeZone = Zone,
        GeneratedAt = Morning,
        Title = "Daily incident digest",
        Day = new LocalDate(2026, 11, 19),
        Figures = new DigestFigures(42, 18_734, 57, 30, 4, 7, 1),
        PreviousFigures = new DigestFigures(37, 21_002, 57, 29, 2, 6, 0),
        TopIncidents = Enumerable.Range(1, incidents).Select(n => Incident(n, n switch { 2 => IncidentStatus.Monitoring, 4 => IncidentStatus.PartiallyBlocked, _ => IncidentStatus.Blocked })).ToList(),
        Coverage = gap
            ? new CoverageGap(
                [new TimeWindow(new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 19, 4, 30, 0, TimeSpan.Zero))],
                ["02:00–05:30"],
                TimeSpan.FromHours(3.5))
            : null,
        Report = new ReportLink(ReportUrl, new DateTimeOffset(2026, 11, 27, 7, 0, 12, TimeSpan.Zero), "00000000000000000000000000000000000000000000000000000000000000a1", 184_213, 6),
        SourcesEnriched = true,
    };

    public static readonly Uri WeeklyReportUrl = new("https://func-incidents.example.net/api/reports/shared/weekly/2026-W47.pdf?exp=1796342400&kid=k1&sig=EXAMPLE-not-a-signature-week");

    /// <summary>The digest of ISO week 2026-W47 (16–22 Nov), with trends; <paramref name="hostile"/> puts attacker text in the recurring sources.</summary>
    public static DigestMessage Weekly(bool hostile = false) => Digest(gap: false) with
    {
        Title = "Weekly incident digest",
        Day = new LocalDate(2026, 11, 16),
        Kind = IncidentFunctions.Calendar.PeriodKind.Week,
        Figures = new DigestFigures(214, 96_410, 301, 150, 20, 40, 4),
        PreviousFigures = new DigestFigures(180, 120_033, 280, 130, 15, 35, 0),
        Coverage = new CoverageGap(
            [new TimeWindow(new DateTimeOffset(2026, 11, 18, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 18, 3, 0, 0, TimeSpan.Zero))],
            ["2026-11-18 02:00–04:00"],
            TimeSpan.FromHours(2),
            UnreadableRecords: 1),
        Trends = new PeriodTrends(
            12,
            [
                new RecurringSource(hostile ? Hostile : "198.51.100.23", 6, 41_200, hostile ? Hostile : "Germany", "Tor"),
                new RecurringSource("2001:db8::7", 4, 9_120, "Netherlands", "Cloud"),
                new RecurringSource("203.0.113.9", 2, 310, null, null),
            ],
            3,
            5,
            new PeriodDayFigures(new LocalDate(2026, 11, 18), 61, 30_112),
            new SourceMix(290, 9, 14, 120, 33),
            new SourceMix(270, 5, 14, 100, 40)),
        Report = new ReportLink(WeeklyReportUrl, new DateTimeOffset(2026, 11, 30, 7, 0, 12, TimeSpan.Zero), "00000000000000000000000000000000000000000000000000000000000000b2", 402_113, 14),
        Archive = new ArchiveLink(ArchiveUrl, new DateTimeOffset(2026, 11, 30, 7, 0, 12, TimeSpan.Zero)),
    };

    public static readonly Uri ArchiveUrl = new("https://func-incidents.example.net/api/reports/shared/archive?exp=1796342400&kid=k1&sig=EXAMPLE-not-a-signature-archive");

    public static AlertMessage Alert() => new()
    {
        TimeZone = Zone,
        GeneratedAt = Morning,
        Incidents = [Incident(1)],
    };

    public static AlertMessage Rollup() => new()
    {
        TimeZone = Zone,
        GeneratedAt = Morning,
        Incidents = [Incident(2, IncidentStatus.Monitoring), Incident(3)],
        NotListed = 9,
        RollupInterval = new TimeWindow(new DateTimeOffset(2026, 11, 20, 6, 50, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 7, 0, 0, TimeSpan.Zero)),
    };

    /// <summary>Hostile text in every field an attacker (or an external system) controls.</summary>
    public const string Hostile =
        "<!channel> <!here> <!everyone> @here @everyone @channel <@U024BE7LH> <@&123456789012345678> <@123456789012345678> <#C024BE7LR> <at>Alex</at> "
        + "[click me](https://evil.example/phish) <https://evil.example/x|click> https://evil.example/y www.evil.example evil.example/z "
        + "*bold* _it_ ~strike~ `code` ```block``` > quote || spoiler || # heading "
        + "<script>alert(1)</script> <img src=x onerror=alert(1)> &amp; "
        + "\u202Eevil\u202C \u2066isolate\u2069 zero\u200Bwidth \u0007bell \r\nnew line";

    /// <summary>
    /// <see cref="Hostile"/>'s pieces glued in random order, each from its start or from a random point: the sample
    /// keeps its pieces apart with spaces; an attacker need not.
    /// </summary>
    public static string HostileGlued(Random random)
    {
        var pieces = Hostile.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var text = new System.Text.StringBuilder();
        for (var n = random.Next(1, 8); n > 0; n--)
        {
            var piece = pieces[random.Next(pieces.Length)];
            var from = random.Next(2) == 0 ? 0 : random.Next(piece.Length);
            text.Append(piece, from, piece.Length - from);
        }

        return text.ToString();
    }

    /// <summary>An incident with <see cref="HostileGlued"/> text in every field an attacker controls.</summary>
    public static IncidentSummary HostileGluedIncident(Random random) => HostileIncident(1) with
    {
        Domain = HostileGlued(random),
        Path = HostileGlued(random),
        SecurityIssue = HostileGlued(random),
        Id = HostileGlued(random),
        AttackType = HostileGlued(random),
        Method = HostileGlued(random),
        TopIp = HostileGlued(random),
        Country = HostileGlued(random),
        SourceType = HostileGlued(random),
        MaliciousLists = [HostileGlued(random)],
    };

    public static IncidentSummary HostileIncident(int n, int repeat = 1)
    {
        var text = string.Concat(Enumerable.Repeat(Hostile, repeat));
        return new IncidentSummary
        {
            Id = text,
            AttackType = text,
            Domain = text,
            Path = text,
            Method = text,
            VulnerabilityId = 500 + n,
            SecurityIssue = text,
            Status = IncidentStatus.Monitoring,
            Hits = 1,
            FirstSeen = new DateTimeOffset(2026, 11, 19, 3, 0, 0, TimeSpan.Zero),
            LastSeen = new DateTimeOffset(2026, 11, 19, 4, 0, 0, TimeSpan.Zero),
            TopIp = text,
            Country = text,
            SourceType = text,
            MaliciousLists = [text, text, text, text],
            ConsoleLink = new Uri(ConsoleBase, $"object/{500 + n}"),
        };
    }

    public static DigestMessage HostileDigest(int incidents = 5, int repeat = 1)
        => Digest() with { TopIncidents = Enumerable.Range(1, incidents).Select(n => HostileIncident(n, repeat)).ToList() };
}
