using System.Runtime.CompilerServices;
using System.Text.Json;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Testing;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class DailyReportFoldTests
{
    private static readonly LocalDate Day = new(2026, 11, 20);
    private static readonly ReportCalendar Calendar = new("UTC");
    private static readonly Uri Console = new("https://console.example/");

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(40)]
    [InlineData(-1)]
    public async Task FoldAsync_ProfilesReadyBeforeDuringOrAfterTheRows_FoldsEveryRowInOrder(int readyAfterRows)
    {
        var inputs = ReportPreviewData.Create(40, Day, hostile: true);
        for (var i = 0; i < inputs.Rows.Count; i += 9) inputs.Rows[i].State = "falsepositive";
        var expected = DailyReportBuilder.Build(inputs, Calendar, new ReportOptions(), Console);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (readyAfterRows == 0) ready.SetResult();

        var folding = DailyReportBuilder.FoldAsync(Rows(inputs.Rows, ready, readyAfterRows, TestContext.Current.CancellationToken), ready.Task, () => new DailyReportFold(Day, Calendar, new ReportOptions(), inputs.Vulnerabilities, inputs.Sources, Console, inputs.Now));
        if (readyAfterRows < 0)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.False(folding.IsCompleted);
            ready.SetResult();
        }

        var actual = (await folding).ToReport(inputs.TenantId, expected.PreviousFigures, inputs.Coverage, inputs.PreviousCoverage);

        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
        Assert.Equal(5, actual.FalsePositivesExcluded);
        Assert.Equal(35, actual.Incidents.Count);
    }

    [Fact]
    public void Add_RowsNamingTheSameIpsAndCountries_KeepsTheProfilesIpAndOneStringPerCountry()
    {
        // Strings built at run time, as parsing each row makes them: equal, never the same instance.
        static string Fresh(string value) => new(value.AsSpan());
        var profile = new IncidentFunctions.Enrichment.SourceProfile { Ip = Fresh("203.0.113.7") };
        IReadOnlyDictionary<string, IncidentFunctions.Enrichment.SourceProfile>? known = null;
        var figures = new DayFigures(() => known);

        figures.Add(new IncidentEntity { Hits = 3 }, [new(Fresh("198.51.100.1"), 1, Fresh("DE")), new(Fresh("203.0.113.7"), 2, Fresh("DE"))], IncidentStatus.Blocked);
        known = new Dictionary<string, IncidentFunctions.Enrichment.SourceProfile>(StringComparer.Ordinal) { [profile.Ip] = profile };
        figures.Add(new IncidentEntity { Hits = 4 }, [new(Fresh("198.51.100.2"), 4, Fresh("DE"))], IncidentStatus.Blocked);
        figures.Add(new IncidentEntity { Hits = 5 }, [new(Fresh("203.0.113.8"), 5, null), new(Fresh("203.0.113.8"), 1, Fresh("FR"))], IncidentStatus.Blocked);

        var tally = figures.Tally.ToDictionary(t => t.Ip, t => t.Country, StringComparer.Ordinal);
        Assert.Equal(["198.51.100.1", "198.51.100.2", "203.0.113.7", "203.0.113.8"], tally.Keys.Order(StringComparer.Ordinal));
        Assert.NotSame(profile.Ip, figures.Tally.Single(t => t.Ip == "203.0.113.7").Ip);
        Assert.Same(tally["198.51.100.1"], tally["198.51.100.2"]);
        Assert.Same(tally["198.51.100.1"], tally["203.0.113.7"]);
        Assert.Equal("FR", tally["203.0.113.8"]);
        Assert.Equal(12, figures.Hits);
        Assert.Equal(3, figures.Incidents);

        var later = new DayFigures(() => known);
        later.Add(new IncidentEntity { Hits = 2 }, [new(Fresh("203.0.113.7"), 2, null)], IncidentStatus.Blocked);
        Assert.Same(profile.Ip, later.Tally.Single().Ip);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(600)]
    public void TopSources_ManyIpsWithTiedHitsAndIncidents_AreTheFirstInHitsIncidentsIpOrder(int top)
    {
        // 500 IPs whose hits and incident counts repeat, so every tie-break decides some place.
        var random = new Random(7);
        var figures = new DayFigures();
        var expected = new Dictionary<string, (long Hits, int Incidents)>(StringComparer.Ordinal);
        for (var row = 0; row < 2_000; row++)
        {
            var ip = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"198.51.{random.Next(2)}.{random.Next(250)}");
            var hits = random.Next(1, 4);
            figures.Add(new IncidentEntity { Hits = hits }, [new(ip, hits, null)], IncidentStatus.Blocked);
            expected[ip] = expected.TryGetValue(ip, out var sum) ? (sum.Hits + hits, sum.Incidents + 1) : (hits, 1);
        }

        var actual = figures.TopSources(new Dictionary<string, IncidentFunctions.Enrichment.SourceProfile>(), top);

        var order = expected.OrderByDescending(kv => kv.Value.Hits).ThenByDescending(kv => kv.Value.Incidents).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(top).ToList();
        Assert.Equal(order.Select(kv => (kv.Key, kv.Value.Hits, kv.Value.Incidents)), actual.Select(r => (r.Ip, r.Hits, r.Incidents)));
        Assert.Equal(Math.Min(top, expected.Count), actual.Count);
    }

    [Fact]
    public void SourceSharesOf_OneOfEachKind_CountsEachKindAndTheMalicious()
    {
        static IncidentFunctions.Enrichment.SourceProfile Profile(IncidentFunctions.Enrichment.SourceType type, bool malicious = false)
            => new() { Ip = "192.0.2.1", SourceType = type, MaliciousLists = malicious ? ["list"] : [] };
        IncidentFunctions.Enrichment.SourceProfile[] profiles =
        [
            Profile(IncidentFunctions.Enrichment.SourceType.Tor, malicious: true),
            Profile(IncidentFunctions.Enrichment.SourceType.PublicProxy),
            Profile(IncidentFunctions.Enrichment.SourceType.WebProxy),
            Profile(IncidentFunctions.Enrichment.SourceType.Vpn, malicious: true),
            Profile(IncidentFunctions.Enrichment.SourceType.CloudPlatform),
            Profile(IncidentFunctions.Enrichment.SourceType.Datacenter, malicious: true),
            Profile(IncidentFunctions.Enrichment.SourceType.Unknown),
        ];

        Assert.Equal(new SourceShares(7, 1, 3, 1, 3), SourceShares.Of(profiles.Where(_ => true)));
    }

    [Fact]
    public void ForShares_EveryPreviewProfile_KeepsTheFiguresOfTheDayBefore()
    {
        var inputs = ReportPreviewData.Create(400, Day, hostile: true);
        var cut = new IncidentFunctions.Enrichment.SourceDay(inputs.PreviousSources.Profiles.ToDictionary(kv => kv.Key, kv => DailyReportBuilder.ForShares(kv.Value), StringComparer.Ordinal), inputs.PreviousSources.Attributions);

        var expected = DailyReportBuilder.Figures(inputs.PreviousRows, inputs.PreviousSources, inputs.Vulnerabilities);
        var actual = DailyReportBuilder.Figures(inputs.PreviousRows, cut, inputs.Vulnerabilities);

        Assert.Equal(expected, actual);
        Assert.NotNull(actual.Shares);
        Assert.True(actual.Shares.Tor > 0 && actual.Shares.Malicious > 0 && actual.Shares.Known > actual.Shares.Malicious, actual.Shares.ToString());
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    public void ToIncidentRow_LastHitAroundTheEndOfTheOngoingWindow_IsOngoingOnlyInsideIt(long ticksPastTheEnd, bool ongoing)
    {
        // The stored report goes stale when the first of its ongoing labels runs out (last hit + window): a row exactly at
        // that instant labelled ongoing made a report generated then stale at once, and generated again on every request.
        var now = new DateTimeOffset(2026, 11, 20, 12, 15, 0, TimeSpan.Zero);
        var window = TimeSpan.FromMinutes(15);
        var row = new IncidentEntity { IncidentId = "a:1", LastSeen = now - window - TimeSpan.FromTicks(ticksPastTheEnd) };

        var incident = DailyReportBuilder.ToIncidentRow(row, new Dictionary<string, IncidentFunctions.Enrichment.SourceProfile>(), new Dictionary<long, VulnerabilityEntity>(), Console, now, window);

        Assert.Equal(ongoing, incident.Ongoing);
        Assert.Equal(ongoing, incident.LastSeen + window > now);
    }

    [Fact]
    public async Task FoldAsync_ProfilesFail_Throws()
    {
        var inputs = ReportPreviewData.Create(5, Day);
        var ready = Task.FromException(new InvalidOperationException("profiles unreadable"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DailyReportBuilder.FoldAsync(Rows(inputs.Rows, null, 0, TestContext.Current.CancellationToken), ready, () => throw new InvalidOperationException("not reached")));

        Assert.Equal("profiles unreadable", error.Message);
    }

    /// <summary>The rows as a store yields them; <paramref name="ready"/> is completed once <paramref name="readyAfterRows"/> have come.</summary>
    private static async IAsyncEnumerable<IncidentEntity> Rows(IReadOnlyList<IncidentEntity> rows, TaskCompletionSource? ready, int readyAfterRows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return rows[i];
            if (i + 1 == readyAfterRows) ready?.SetResult();
        }
    }
}
