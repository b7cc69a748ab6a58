using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// The key figures of one day, counted row by row, so the rows need not be held (a day's figures are what the
/// previous day contributes to a report). Rows marked false positive are the caller's to leave out.
/// </summary>
/// <remarks>
/// A busy day has tens of thousands of source IPs, each parsed afresh from every row that names it. The tally keeps
/// one string per IP and per country: the profile's own IP string once the day's profiles are known
/// (<paramref name="knownSources"/>, asked for each new IP), and one instance of each country code, so the copies
/// parsed from the rows die young.
/// </remarks>
internal sealed class DayFigures(Func<IReadOnlyDictionary<string, SourceProfile>?>? knownSources = null)
{
    private readonly Dictionary<string, (long Hits, int Incidents, string? Country)> _ips = new(StringComparer.Ordinal);
    private readonly HashSet<string> _countries = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (int Incidents, long? Threat)> _issues = [];
    private bool _lowerBound;
    private int _blocked, _partial, _monitoring, _unknown;

    public int Incidents { get; private set; }

    /// <summary>The strings the tally holds, per IP (tests: which instances are kept).</summary>
    internal IEnumerable<(string Ip, string? Country)> Tally => _ips.Select(kv => (kv.Key, kv.Value.Country));

    public long Hits { get; private set; }

    /// <summary>Per security issue exploited, how many incidents and their highest threat.</summary>
    public IReadOnlyDictionary<long, (int Incidents, long? Threat)> Issues => _issues;

    public void Add(IncidentEntity row, IReadOnlyList<IncidentSourceIp> topIps, IncidentStatus status)
    {
        Incidents++;
        Hits += row.Hits;
        for (var k = 0; k < topIps.Count; k++)
        {
            var ip = topIps[k];
            ref var current = ref CollectionsMarshal.GetValueRefOrNullRef(_ips, ip.Ip);
            if (Unsafe.IsNullRef(ref current)) Add(ip);
            else current = (current.Hits + ip.Hits, current.Incidents + 1, current.Country ?? Country(ip.Country));
        }

        if (row.IpCount > topIps.Count) _lowerBound = true;
        switch (status)
        {
            case IncidentStatus.Blocked: _blocked++; break;
            case IncidentStatus.PartiallyBlocked: _partial++; break;
            case IncidentStatus.Monitoring: _monitoring++; break;
            default: _unknown++; break;
        }

        if (row.VulnerabilityId > 0)
        {
            ref var issue = ref CollectionsMarshal.GetValueRefOrAddDefault(_issues, row.VulnerabilityId, out _);
            issue = (issue.Incidents + 1, Max(issue.Threat, row.Threat));
        }
    }

    private void Add(IncidentSourceIp ip)
    {
        var known = knownSources?.Invoke();
        // The day's profiles are about one per source IP: sized once for them, the tally skips the doublings (each
        // past the first few thousand IPs a large-object array, which only a full collection frees).
        if (_ips.Count == 0 && known is not null) _ips.EnsureCapacity(known.Count);
        var key = known is not null && known.TryGetValue(ip.Ip, out var profile) && string.Equals(profile.Ip, ip.Ip, StringComparison.Ordinal) ? profile.Ip : ip.Ip;
        _ips.Add(key, (ip.Hits, 1, Country(ip.Country)));
    }

    private string? Country(string? country)
    {
        if (country is null) return null;
        if (_countries.TryGetValue(country, out var shared)) return shared;
        _countries.Add(country);
        return country;
    }

    public KeyFigures ToFigures(SourceDay sources, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities)
    {
        if (Incidents == 0) return KeyFigures.Empty with { Shares = sources.Profiles.Count == 0 ? null : new SourceShares(0, 0, 0, 0, 0) };
        IssueCount? mostExploited = null;
        foreach (var (id, issue) in _issues)
        {
            if (mostExploited is null || issue.Incidents > mostExploited.Incidents || (issue.Incidents == mostExploited.Incidents && id < mostExploited.VulnerabilityId))
            {
                mostExploited = new IssueCount(id, "", issue.Incidents);
            }
        }

        mostExploited = mostExploited is null ? null : mostExploited with { Title = DailyReportBuilder.IssueTitle(mostExploited.VulnerabilityId, vulnerabilities) };
        SourceShares? shares = null;
        if (sources.Profiles.Count > 0)
        {
            shares = SourceShares.Of(_ips.Keys.Select(ip => sources.Profiles.GetValueOrDefault(ip)).OfType<SourceProfile>());
        }

        return new KeyFigures(Incidents, Hits, _ips.Count, _lowerBound, _blocked, _partial, _monitoring, _unknown, mostExploited, shares);
    }

    /// <summary>The statuses in <see cref="Labels.StatusOrder"/>; unknown only when some incident has it.</summary>
    public List<NamedCount> StatusCounts()
    {
        var result = new List<NamedCount>();
        foreach (var status in Labels.StatusOrder)
        {
            var n = status switch
            {
                IncidentStatus.Blocked => _blocked,
                IncidentStatus.PartiallyBlocked => _partial,
                IncidentStatus.Monitoring => _monitoring,
                _ => _unknown,
            };
            if (n > 0 || status != IncidentStatus.Unknown) result.Add(new NamedCount(Labels.Status(status), n));
        }

        return result;
    }

    /// <summary>The day's source IPs with the most hits (then incidents, then IP), as the report shows them.</summary>
    public List<SourceRow> TopSources(IReadOnlyDictionary<string, SourceProfile> profiles, int top)
        => Ranking.Top(_ips, top, TopSourceOrder.Instance)
            .Select(kv =>
            {
                var profile = profiles.GetValueOrDefault(kv.Key);
                var country = profile?.CountryName ?? profile?.CountryCode ?? kv.Value.Country;
                return new SourceRow(
                    UntrustedText.Inert(kv.Key, 64),
                    country is null ? null : UntrustedText.Inert(country, 40),
                    profile?.AsOrganization is { } org ? UntrustedText.Inert(org, 80) : null,
                    profile?.Asn,
                    profile?.SourceType,
                    profile?.CloudProvider is { } cloud ? UntrustedText.Inert(cloud, 40) : null,
                    profile?.MaliciousLists.Take(5).Select(l => UntrustedText.Inert(l, 40)).ToList() ?? [],
                    kv.Value.Hits,
                    kv.Value.Incidents);
            })
            .ToList();

    /// <summary>Most hits first, then most incidents, then the IP in ordinal order.</summary>
    private sealed class TopSourceOrder : IComparer<KeyValuePair<string, (long Hits, int Incidents, string? Country)>>
    {
        public static readonly TopSourceOrder Instance = new();

        public int Compare(KeyValuePair<string, (long Hits, int Incidents, string? Country)> x, KeyValuePair<string, (long Hits, int Incidents, string? Country)> y)
        {
            var c = y.Value.Hits.CompareTo(x.Value.Hits);
            if (c == 0) c = y.Value.Incidents.CompareTo(x.Value.Incidents);
            return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
        }
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}

/// <summary>
/// A report day's model, folded as its rows are read: each row becomes its <see cref="IncidentRow"/> and its counts,
/// and is then garbage, so a busy day never holds its stored rows, their parsed top IPs and the model at once.
/// Needs the day's profiles and issue titles before the first row.
/// </summary>
internal sealed class DailyReportFold
{
    private readonly TimeWindow _window;
    private readonly ReportCalendar _calendar;
    private readonly ReportOptions _options;
    private readonly IReadOnlyDictionary<long, VulnerabilityEntity> _vulnerabilities;
    private readonly SourceDay _sources;
    private readonly Uri? _consoleBase;
    private readonly DateTimeOffset _now;
    private readonly TextMemo _memo;
    private readonly DayFigures _figures;
    private readonly int[] _hourIncidents;
    private readonly long[] _hourHits;
    private readonly Dictionary<string, int> _attackTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _countries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sourceTypes = new(StringComparer.Ordinal);
    // Insertion-ordered (nothing is removed): ties in the top targets keep the order rows came in.
    private readonly Dictionary<(string Domain, string Path), (int Incidents, long Hits)> _targets = [];
    private readonly List<IncidentRow> _incidents = [];
    private int _falsePositives;

    public DailyReportFold(LocalDate day, ReportCalendar calendar, ReportOptions options, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities, SourceDay sources, Uri? consoleBase, DateTimeOffset now)
    {
        Day = day;
        _window = calendar.WindowOf(day);
        _calendar = calendar;
        _options = options;
        _vulnerabilities = vulnerabilities;
        _sources = sources;
        _consoleBase = consoleBase;
        _now = now;
        _memo = new TextMemo(vulnerabilities, consoleBase);
        _figures = new DayFigures(() => sources.Profiles);
        var hours = (int)Math.Ceiling(_window.Duration.TotalHours);
        _hourIncidents = new int[hours];
        _hourHits = new long[hours];
    }

    public LocalDate Day { get; }

    public void Add(IncidentEntity row)
    {
        if (DailyReportBuilder.IsFalsePositive(row))
        {
            _falsePositives++;
            return;
        }

        var incident = DailyReportBuilder.ToIncidentRow(row, _sources.Profiles, _vulnerabilities, _consoleBase, _now, _options.OngoingWindow, _memo);
        _incidents.Add(incident);
        _figures.Add(row, row.ReadTopIps(), incident.Status);

        var start = row.FirstSeen < _window.From ? _window.From : row.FirstSeen;
        var hour = Math.Clamp((int)Math.Floor((start - _window.From).TotalHours), 0, _hourIncidents.Length - 1);
        _hourIncidents[hour]++;
        _hourHits[hour] += row.Hits;

        Increment(_attackTypes, incident.AttackType);
        Increment(_countries, incident.Country ?? "Unknown");
        if (_sources.Profiles.Count > 0) Increment(_sourceTypes, Labels.SourceType(incident.SourceType));
        ref var target = ref CollectionsMarshal.GetValueRefOrAddDefault(_targets, (row.Domain ?? "", row.Path ?? ""), out _);
        target = (target.Incidents + 1, target.Hits + row.Hits);
    }

    /// <summary>The model; <paramref name="previous"/> holds the day before's figures.</summary>
    public DailyReport ToReport(long tenantId, KeyFigures previous, DayCoverage coverage, DayCoverage? previousCoverage)
    {
        var ordered = _options.IncidentOrder switch
        {
            ReportIncidentOrder.FirstHit => _incidents.OrderByDescending(r => r.FirstSeen),
            ReportIncidentOrder.Hits => _incidents.OrderByDescending(r => r.Hits).ThenByDescending(r => r.LastSeen),
            _ => _incidents.OrderByDescending(r => r.LastSeen),
        };

        return new DailyReport
        {
            TenantId = tenantId,
            Day = Day,
            TimeZone = _calendar.ZoneId,
            Window = _window,
            Title = UntrustedText.Sanitize(_options.Title, DailyReportBuilder.MaxTitleChars),
            CompanyName = string.IsNullOrWhiteSpace(_options.CompanyName) ? null : UntrustedText.Sanitize(_options.CompanyName, DailyReportBuilder.MaxTitleChars),
            Marking = ReportMarking.Of(_options),
            GeneratedAt = _now,
            Coverage = coverage,
            Figures = _figures.ToFigures(_sources, _vulnerabilities),
            PreviousFigures = previous,
            PreviousCoverage = previousCoverage,
            Hours = Hours(),
            ByAttackType = DailyReportBuilder.TopCounts(_attackTypes, 12),
            ByCountry = DailyReportBuilder.TopCounts(_countries, 10),
            BySourceType = DailyReportBuilder.TopCounts(_sourceTypes, 10),
            ByStatus = _figures.StatusCounts(),
            TopSources = _figures.TopSources(_sources.Profiles, _options.TopRows),
            TopTargets = DailyReportBuilder.TopTargets(_targets.Select(t => (t.Key.Domain, t.Key.Path, t.Value.Incidents, t.Value.Hits)), _options.TopRows),
            Issues = Issues(),
            Incidents = ordered.ThenBy(r => r.Id, StringComparer.Ordinal).ToList(),
            Order = _options.IncidentOrder,
            Layout = _options.Layout,
            FalsePositivesExcluded = _falsePositives,
            SourcesEnriched = _sources.Profiles.Count > 0,
            Attributions = _sources.Attributions.Select(a => UntrustedText.Sanitize(a, 400)).Distinct(StringComparer.Ordinal).ToList(),
            Datasets = LabelData.Of(_sources.Profiles.Values),
        };
    }

    private List<HourBucket> Hours()
    {
        // On a DST day a local hour repeats or is skipped: label each bucket with its UTC offset then.
        var showOffset = _window.Duration != TimeSpan.FromHours(24);
        return Enumerable.Range(0, _hourIncidents.Length).Select(i =>
        {
            var local = Instant.FromDateTimeOffset(_window.From.AddHours(i)).InZone(_calendar.Zone);
            var label = local.ToString(showOffset ? "HH:mm o<+HH>" : "HH:mm", CultureInfo.InvariantCulture);
            return new HourBucket(label, _hourIncidents[i], _hourHits[i]);
        }).ToList();
    }

    private List<IssueRow> Issues()
        => _figures.Issues
            .Select(kv =>
            {
                var v = _vulnerabilities.GetValueOrDefault(kv.Key);
                return new IssueRow(
                    kv.Key,
                    _memo.IssueTitle(kv.Key),
                    v?.Type is { } type ? UntrustedText.Inert(type, DailyReportBuilder.MaxShortChars) : null,
                    v?.Threat ?? kv.Value.Threat,
                    v?.Status is { } status ? UntrustedText.Inert(status, DailyReportBuilder.MaxShortChars) : null,
                    kv.Value.Incidents,
                    _memo.ConsoleLink(kv.Key));
            })
            .OrderByDescending(i => i.Incidents).ThenByDescending(i => i.Threat ?? 0).ThenBy(i => i.VulnerabilityId)
            .Take(100)
            .ToList();

    private static void Increment(Dictionary<string, int> counts, string key) => CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;
}
