using System.Text.Json;
using System.Text.Json.Serialization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Testing;
using NodaTime;
using NodaTime.Text;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The period report folds each day as it is read (<see cref="PeriodAccumulator"/>): its model equals the one computed
/// from every day's rows held at once (<see cref="PeriodReportReference"/>, the builder before the fold), whatever the
/// order and concurrency the days come in, and an incident stored on several days counts once, with its latest day.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class PeriodAccumulatorTests
{
    private static readonly ReportCalendar Utc = new("UTC");
    private static readonly LocalDate Monday = new(2026, 11, 23); // 2026-W48
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyDictionary<long, VulnerabilityEntity> Catalog = new Dictionary<long, VulnerabilityEntity>
    {
        [11] = new() { Title = "SQL injection in /a" },
        [12] = new() { Title = "Stored XSS", Threat = 70 },
    };

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new LocalDateJson() } };

    private static IncidentEntity Row(LocalDate day, string id, long hits, (string Ip, long Hits, string? Country)[] ips, long vulnerability = 0, IncidentStatus status = IncidentStatus.Blocked, string type = "sqli", string path = "/a", string? state = null, long ipCount = 0)
    {
        var from = new DateTimeOffset(day.Year, day.Month, day.Day, 10, 0, 0, TimeSpan.Zero);
        var incident = new Incident
        {
            TenantId = 7,
            Id = id,
            FirstSeen = from.AddHours(-hits % 7),
            LastSeen = from.AddMinutes(hits),
            AttackType = type,
            Domain = "shop.example.com",
            Path = path,
            Hits = hits,
            IpCount = Math.Max(ipCount, ips.Length),
            TopIps = [.. ips.Select(i => new IncidentSourceIp(i.Ip, i.Hits, i.Country))],
            VulnerabilityId = vulnerability,
            Status = status,
            State = state,
        };
        return IncidentEntity.From(incident, DayPartition.Key(7, day), ReportCalendar.IsoDay(day), "UTC", Now);
    }

    private static SourceProfile Profile(string ip, string? countryName, string? countryCode, SourceType type, string? cloud = null, params string[] lists)
        => new() { Ip = ip, CountryName = countryName, CountryCode = countryCode, SourceType = type, CloudProvider = cloud, MaliciousLists = lists, City = "dropped by the fold",
            // A dated label whose date differs by address, so the days' datasets span different dates and must merge.
            Provenance = [new Provenance("country", "test", "1", null), new Provenance("asn", "iptoasn", null, Now.AddDays(-(ip.Sum(c => c) % 20)))] };

    private static PeriodDayInputs Day(LocalDate day, IReadOnlyList<IncidentEntity> rows, params SourceProfile[] profiles)
        => new(day, rows, new SourceDay(profiles.ToDictionary(p => p.Ip, StringComparer.Ordinal), profiles.Length == 0 ? [] : [$"attribution of {ReportCalendar.IsoDay(day)}"]), new DayCoverage(day, Utc.WindowOf(day), [Utc.WindowOf(day)], []));

    /// <summary>
    /// W48: <c>x</c> runs from Monday into Tuesday (5 hits, then 9; xss then rce; monitoring then blocked); <c>y</c> is
    /// stored on Tuesday and marked false positive on Wednesday; <c>fp</c> only false positive. 1.1.1.1 is enriched
    /// on Monday (Tor, Netherlands) and again on Tuesday (AWS, Germany); 5.5.5.5 is never enriched and its rows say
    /// SE (Wednesday) then NO (Thursday). The week before: <c>p</c> and <c>q</c> (over two days).
    /// </summary>
    private static PeriodReportInputs Week()
    {
        var tuesday = Monday.PlusDays(1);
        var days = new List<PeriodDayInputs>
        {
            Day(Monday,
                [
                    Row(Monday, "a", 10, [("1.1.1.1", 10, "NL")], vulnerability: 11),
                    Row(Monday, "x", 5, [("2.2.2.2", 5, "FR")], vulnerability: 12, status: IncidentStatus.Monitoring, type: "xss", path: "/x"),
                    Row(Monday, "fp", 1000, [("9.9.9.9", 1000, "US")], vulnerability: 99, state: "falsepositive"),
                ],
                Profile("1.1.1.1", "Netherlands", "NL", SourceType.Tor),
                Profile("2.2.2.2", null, "FR", SourceType.Vpn, null, "listA", "listB")),
            Day(tuesday,
                [
                    Row(tuesday, "x", 9, [("2.2.2.2", 8, "FR"), ("3.3.3.3", 1, "DE")], vulnerability: 12, type: "rce", path: "/x", ipCount: 40),
                    Row(tuesday, "b", 3, [("1.1.1.1", 3, "NL")], vulnerability: 13, status: IncidentStatus.PartiallyBlocked),
                    Row(tuesday, "y", 4, [("4.4.4.4", 4, "IT")], status: IncidentStatus.Monitoring),
                ],
                Profile("1.1.1.1", "Germany", "DE", SourceType.CloudPlatform, "AWS")),
            Day(Monday.PlusDays(2),
                [
                    Row(Monday.PlusDays(2), "y", 6, [("4.4.4.4", 6, "IT")], state: "FalsePositive "),
                    Row(Monday.PlusDays(2), "c", 2, [("5.5.5.5", 2, "SE")]),
                ]),
            Day(Monday.PlusDays(3), [Row(Monday.PlusDays(3), "d", 1, [("5.5.5.5", 1, "NO")], vulnerability: 11)]),
            Day(Monday.PlusDays(4), []),
            Day(Monday.PlusDays(5), []),
            new PeriodDayInputs(Monday.PlusDays(6), [], SourceDay.Empty, null), // not reached yet
        };
        var previousMonday = Monday.PlusDays(-7);
        var previous = new List<PeriodDayInputs>
        {
            Day(previousMonday, [Row(previousMonday, "p", 20, [("7.7.7.7", 20, "PL")], vulnerability: 11), Row(previousMonday, "q", 3, [("8.8.8.8", 3, "PL")], vulnerability: 14)], Profile("7.7.7.7", "Poland", "PL", SourceType.Tor)),
            Day(previousMonday.PlusDays(1), [Row(previousMonday.PlusDays(1), "q", 8, [("8.8.8.8", 8, "PL"), ("8.8.4.4", 1, "PL")], vulnerability: 14)]),
        };
        return new PeriodReportInputs(7, ReportPeriod.Week(2026, 48), days, previous, Catalog, Now, Partial: true);
    }

    /// <summary>The fold fed as <see cref="PeriodReportBuilder.BuildAsync"/> feeds it, but in the given day order and from several threads.</summary>
    private static PeriodReport Fold(PeriodReportInputs inputs, IEnumerable<PeriodDayInputs> order, IEnumerable<PeriodDayInputs> previousOrder, ReportOptions? options = null)
    {
        var fold = new PeriodAccumulator(inputs.Period);
        Parallel.ForEach(
            order.Select(d => (Previous: false, Day: d)).Concat(previousOrder.Select(d => (Previous: true, Day: d))).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            item =>
            {
                if (item.Previous) fold.AddPrevious(item.Day.Day, item.Day.Rows, item.Day.Sources);
                else fold.Add(item.Day.Day, item.Day.Rows, item.Day.Sources, item.Day.Coverage);
            });
        // A month's listed rows "read again" from the held days.
        var rows = fold.RowsToRead()
            .Select(k => inputs.Days.Single(d => d.Day == k.Day).Rows.Single(r => r.IncidentId == k.IncidentId && r.RowKey == k.RowKey))
            .ToList();
        return fold.ToReport(rows, inputs.TenantId, inputs.Vulnerabilities, inputs.Now, inputs.Partial, Utc, options ?? new ReportOptions(), new Uri("https://my.wallarm.com/"));
    }

    internal static string Serialize(PeriodReport report) => JsonSerializer.Serialize(report, Json);

    [Fact]
    public void Fold_WeekInAnyDayOrder_CountsEachIncidentOnceWithItsLatestDayAndEachIpWithItsLatestProfile()
    {
        var inputs = Week();

        var report = Fold(inputs, inputs.Days.AsEnumerable().Reverse(), inputs.PreviousDays.AsEnumerable().Reverse());

        // Per day: every stored row but false positives; x counts on Monday and Tuesday.
        Assert.Equal([2, 3, 1, 1, 0, 0, 0], report.Days.Select(d => d.Incidents));
        Assert.Equal([15L, 16, 2, 1, 0, 0, 0], report.Days.Select(d => d.Hits));
        Assert.Equal((1, 1), (report.Days[0].Blocked, report.Days[0].Monitoring));
        Assert.False(report.Days[6].Reached);

        // The period: a, x, b, y, c, d once each; x with Tuesday's 9 hits, 2 IPs of 40 and status (5 + 9 would be a double count).
        Assert.Equal(6, report.Figures.Incidents);
        Assert.Equal(10 + 9 + 3 + 4 + 2 + 1, report.Figures.Hits);
        Assert.Equal(5, report.Figures.UniqueSourceIps);
        Assert.True(report.Figures.UniqueSourceIpsIsLowerBound);
        Assert.Equal((4, 1, 1, 0), (report.Figures.Blocked, report.Figures.PartiallyBlocked, report.Figures.Monitoring, report.Figures.UnknownStatus));
        Assert.Equal((11L, 2), (report.Figures.MostExploited!.VulnerabilityId, report.Figures.MostExploited.Incidents));
        // Known: 1.1.1.1 (Tuesday's profile: cloud, not Tor) and 2.2.2.2 (VPN, listed).
        Assert.Equal(new SourceShares(2, 0, 1, 1, 1), report.Figures.Shares);
        Assert.Equal(2, report.FalsePositivesExcluded); // fp, and y's Wednesday row
        Assert.Equal(6, report.IncidentsTotal);
        Assert.True(report.SourcesEnriched);
        Assert.Equal(["attribution of 2026-11-23", "attribution of 2026-11-24"], report.Attributions);

        // The previous week: p and q (once, with its latest 8 hits); its IPs 7.7.7.7, 8.8.8.8, 8.8.4.4; one known (Tor).
        Assert.Equal((2, 28L, 3), (report.PreviousFigures.Incidents, report.PreviousFigures.Hits, report.PreviousFigures.UniqueSourceIps));
        Assert.Equal(new SourceShares(1, 1, 0, 0, 0), report.PreviousFigures.Shares);

        Assert.Equal(3, report.RecurringAttackersTotal);
        var first = report.RecurringAttackers[0];
        Assert.Equal(("1.1.1.1", 13L, 2), (first.Ip, first.Hits, first.Incidents));
        Assert.Equal([Monday, Monday.PlusDays(1)], first.Days);
        Assert.Equal(("Germany", SourceType.CloudPlatform, "AWS"), (first.Country, first.SourceType, first.CloudProvider));
        var x = Assert.Single(report.RecurringAttackers, a => a.Ip == "2.2.2.2");
        Assert.Equal((8L, 1, "FR", SourceType.Vpn), (x.Hits, x.Incidents, x.Country, x.SourceType)); // max(5, 8): x's hits once
        Assert.Equal(["listA", "listB"], x.MaliciousLists);
        var unenriched = Assert.Single(report.RecurringAttackers, a => a.Ip == "5.5.5.5");
        Assert.Equal((3L, 2, "SE", (SourceType?)null), (unenriched.Hits, unenriched.Incidents, unenriched.Country, unenriched.SourceType)); // the first day's row

        Assert.Equal([11L, 12, 13], report.Issues.Select(i => i.Issue.VulnerabilityId).Order());
        var eleven = Assert.Single(report.Issues, i => i.Issue.VulnerabilityId == 11);
        Assert.Equal((2, false), (eleven.Issue.Incidents, eleven.New));
        Assert.Equal([Monday, Monday.PlusDays(3)], eleven.DaysHit);
        var twelve = Assert.Single(report.Issues, i => i.Issue.VulnerabilityId == 12);
        Assert.Equal((1, true, 70L), (twelve.Issue.Incidents, twelve.New, twelve.Issue.Threat));
        Assert.Equal([Monday, Monday.PlusDays(1)], twelve.DaysHit);
        Assert.Equal((3, 2), (report.IssuesTotal, report.NewIssuesTotal));

        // x is rce (its latest type) in the totals, xss in Monday's column.
        Assert.Equal([("sqli", 5), ("rce", 1)], report.ByAttackType.Select(c => (c.Name, c.Count)));
        Assert.Equal(7, report.AttackTypes.Columns.Count);
        var sqli = Assert.Single(report.AttackTypes.Rows, r => r.AttackType == "sqli");
        Assert.Equal([1, 2, 1, 1, 0, 0, 0], sqli.Incidents);
        Assert.Equal([0, 1, 0, 0, 0, 0, 0], Assert.Single(report.AttackTypes.Rows, r => r.AttackType == "rce").Incidents);
        Assert.DoesNotContain(report.AttackTypes.Rows, r => r.AttackType == "xss");

        Assert.Equal([("/a", 5, 20L), ("/x", 1, 9L)], report.TopTargets.Select(t => (t.Path, t.Incidents, t.Hits)));
        Assert.Equal(["d", "c", "x", "y", "b", "a"], report.Incidents.Select(i => i.Id)); // latest hit first: x's is Tuesday's
        var listedX = Assert.Single(report.Incidents, i => i.Id == "x");
        Assert.Equal((9L, 40L, IncidentStatus.Blocked, "rce", "FR"), (listedX.Hits, listedX.IpCount, listedX.Status, listedX.AttackType, listedX.Country));
        Assert.Equal("DE", Assert.Single(report.Incidents, i => i.Id == "a").Country); // 1.1.1.1's latest profile
    }

    [Fact]
    public void Fold_WeekInOrderReverseAndShuffled_EqualsTheModelFromHeldRows()
    {
        var inputs = Week();
        var options = new ReportOptions { PublicBaseUrl = new Uri("https://reports.example.test/api/") };
        var held = PeriodReportReference.Build(inputs, Utc, options, new Uri("https://my.wallarm.com/"));
        var expected = Serialize(held);
        var dataset = Assert.Single(held.Datasets); // the fixture's dated labels: one dataset over several dates
        Assert.True(dataset.Oldest < dataset.Newest, $"{dataset}");

        Assert.Equal(expected, Serialize(PeriodReportBuilder.Build(inputs, Utc, options, new Uri("https://my.wallarm.com/"))));
        Assert.Equal(expected, Serialize(Fold(inputs, inputs.Days.AsEnumerable().Reverse(), inputs.PreviousDays.AsEnumerable().Reverse(), options)));
        var random = new Random(12);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(expected, Serialize(Fold(inputs, inputs.Days.OrderBy(_ => random.Next()), inputs.PreviousDays.OrderBy(_ => random.Next()), options)));
        }
    }

    [Theory]
    [InlineData("2026-W48", 25, "UTC", ReportIncidentOrder.LatestHit)]
    [InlineData("2026-W10", 30, "Europe/Berlin", ReportIncidentOrder.Hits)]
    [InlineData("2026-W44", 10, "UTC", ReportIncidentOrder.FirstHit)]
    [InlineData("2026-10", 40, "Europe/Berlin", ReportIncidentOrder.LatestHit)]
    [InlineData("2026-02", 3, "UTC", ReportIncidentOrder.LatestHit)] // 84 incidents: a month that lists them all
    public void Build_PreviewPeriods_EqualsTheModelFromHeldRows(string key, int perDay, string zone, ReportIncidentOrder order)
    {
        var period = key.Contains('W', StringComparison.Ordinal)
            ? ReportPeriod.Week(int.Parse(key[..4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(key[6..], System.Globalization.CultureInfo.InvariantCulture))
            : ReportPeriod.Month(int.Parse(key[..4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(key[5..], System.Globalization.CultureInfo.InvariantCulture));
        var inputs = ReportPreviewData.CreatePeriod(period, perDay, zone);
        var calendar = new ReportCalendar(zone);
        var options = new ReportOptions { IncidentOrder = order, CompanyName = "Example Corp" };

        var expected = Serialize(PeriodReportReference.Build(inputs, calendar, options, new Uri("https://my.wallarm.com/")));
        var actual = Serialize(PeriodReportBuilder.Build(inputs, calendar, options, new Uri("https://my.wallarm.com/")));

        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// A month of 130 incidents: <c>long</c> is stored on the 3rd (1 hit) and the 4th (5,000 hits), <c>mark</c> on the
    /// 5th (4,000) and as a false positive on the 6th; many tie on hits. The month lists the top 100, read by the keys
    /// of their latest rows.
    /// </summary>
    [Fact]
    public void Fold_MonthOfMoreThanTheTop_ListsTheTopByLatestHitsAndReadsTheirLatestRows()
    {
        var month = ReportPeriod.Month(2026, 10);
        var byDay = month.Days.ToDictionary(d => d, _ => new List<IncidentEntity>());
        for (var i = 0; i < 128; i++)
        {
            var day = month.First.PlusDays(i % 31);
            byDay[day].Add(Row(day, $"m{i:D3}", 1 + (i % 40), [($"10.0.{i % 7}.1", 1, "NL")], vulnerability: 1 + (i % 3)));
        }

        var third = new LocalDate(2026, 10, 3);
        byDay[third].Add(Row(third, "long", 1, [("10.9.9.9", 1, "NL")]));
        byDay[third.PlusDays(1)].Add(Row(third.PlusDays(1), "long", 5_000, [("10.9.9.9", 5_000, "NL")]));
        byDay[third.PlusDays(2)].Add(Row(third.PlusDays(2), "mark", 4_000, [("10.9.9.8", 4_000, "NL")]));
        byDay[third.PlusDays(3)].Add(Row(third.PlusDays(3), "mark", 9_000, [("10.9.9.8", 9_000, "NL")], state: "falsepositive"));
        var inputs = new PeriodReportInputs(7, month, [.. month.Days.Select(d => Day(d, byDay[d]))], [], Catalog, Now, Partial: false);

        var fold = new PeriodAccumulator(month);
        foreach (var day in inputs.Days.AsEnumerable().Reverse()) fold.Add(day.Day, day.Rows, day.Sources, day.Coverage);
        var keys = fold.RowsToRead();

        Assert.Equal(PeriodReportBuilder.MonthTopIncidents, keys.Count);
        Assert.Equal(new ListedIncidentKey(third.PlusDays(1), "long", "long"), keys[0]);
        Assert.Equal(new ListedIncidentKey(third.PlusDays(2), "mark", "mark"), keys[1]);
        var report = PeriodReportBuilder.Build(inputs, Utc, new ReportOptions(), null);
        Assert.Equal(130, report.IncidentsTotal);
        Assert.Equal(131, report.Days.Sum(d => d.Incidents));
        Assert.Equal(1, report.FalsePositivesExcluded);
        Assert.True(report.IncidentsAreTopOnly);
        Assert.Equal(100, report.Incidents.Count);
        Assert.Equal([("long", 5_000L), ("mark", 4_000L)], report.Incidents.Take(2).Select(i => (i.Id, i.Hits)));
        Assert.Equal(Serialize(PeriodReportReference.Build(inputs, Utc, new ReportOptions(), null)), Serialize(report));
    }

    [Fact]
    public void Add_SameDayTwiceOrADayOutsideThePeriod_Throws()
    {
        var fold = new PeriodAccumulator(ReportPeriod.Week(2026, 48));
        fold.Add(Monday, [Row(Monday, "a", 1, [("1.1.1.1", 1, "NL")])], SourceDay.Empty, null);

        Assert.Throws<InvalidOperationException>(() => fold.Add(Monday, [], SourceDay.Empty, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => fold.Add(Monday.PlusDays(7), [], SourceDay.Empty, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => fold.AddPrevious(Monday, [], SourceDay.Empty));
        fold.AddPrevious(Monday.PlusDays(-1), [], SourceDay.Empty);
    }

    private sealed class LocalDateJson : JsonConverter<LocalDate>
    {
        public override LocalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => LocalDatePattern.Iso.Parse(reader.GetString()!).Value;

        public override void Write(Utf8JsonWriter writer, LocalDate value, JsonSerializerOptions options)
            => writer.WriteStringValue(LocalDatePattern.Iso.Format(value));
    }
}
