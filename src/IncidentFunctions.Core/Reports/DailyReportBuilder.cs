using System.Globalization;
using System.Runtime.InteropServices;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>What a report is computed from: the day's and the previous day's rows and sources, coverage, issues.</summary>
public sealed record DailyReportInputs(
    long TenantId,
    LocalDate Day,
    IReadOnlyList<IncidentEntity> Rows,
    IReadOnlyList<IncidentEntity> PreviousRows,
    DayCoverage Coverage,
    IReadOnlyDictionary<long, VulnerabilityEntity> Vulnerabilities,
    SourceDay Sources,
    SourceDay PreviousSources,
    DateTimeOffset Now,
    DayCoverage? PreviousCoverage = null);

/// <summary>Reads one report day from storage and computes the <see cref="DailyReport"/> model.</summary>
public sealed class DailyReportBuilder(
    IncidentStore incidents,
    CoverageLog coverage,
    VulnerabilityCatalog vulnerabilities,
    SourceProfileStore sources,
    ReportCalendar calendar,
    IOptions<ReportOptions> options,
    IOptions<WallarmOptions> wallarm,
    TimeProvider time)
{
    internal const int MaxPathChars = 300;
    internal const int MaxDomainChars = 120;
    internal const int MaxParameterChars = 200;
    internal const int MaxTitleChars = 200;
    internal const int MaxShortChars = 60;
    internal const int MaxCountryCodePoints = 8;
    private const string FalsePositive = "falsepositive";

    public async Task<DailyReport> BuildAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        // Only what the report shows: a busy day's rows are most of its memory.
        var rows = ReadAsync(incidents.GetDayAsync(tenantId, day, ReportColumns.Listed, cancellationToken));
        var previousRows = ReadAsync(incidents.GetDayAsync(tenantId, day.PlusDays(-1), ReportColumns.Figures, cancellationToken));
        var coverageTask = coverage.GetDayAsync(tenantId, day, now, cancellationToken);
        // The change column compares with the day before; a partly pulled day before must be said, not hidden.
        var previousCoverageTask = coverage.GetDayAsync(tenantId, day.PlusDays(-1), now, cancellationToken);
        var vulnerabilitiesTask = vulnerabilities.GetAllAsync(tenantId, cancellationToken);
        var sourcesTask = sources.GetDayAsync(tenantId, day, cancellationToken);
        var previousSourcesTask = sources.GetDayAsync(tenantId, day.PlusDays(-1), cancellationToken);
        await Task.WhenAll(rows, previousRows, coverageTask, previousCoverageTask, vulnerabilitiesTask, sourcesTask, previousSourcesTask).ConfigureAwait(false);

        return Build(
            new DailyReportInputs(tenantId, day, rows.Result, previousRows.Result, coverageTask.Result, vulnerabilitiesTask.Result, sourcesTask.Result, previousSourcesTask.Result, now, previousCoverageTask.Result),
            calendar,
            options.Value,
            wallarm.Value.ResolveConsoleAddress());
    }

    /// <summary>The model from already-read inputs (pure: used by tests and benchmarks too).</summary>
    public static DailyReport Build(DailyReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri? consoleBase)
    {
        var window = calendar.WindowOf(inputs.Day);
        var rows = inputs.Rows.Where(r => !IsFalsePositive(r)).ToList();
        var previous = inputs.PreviousRows.Where(r => !IsFalsePositive(r)).ToList();
        var profiles = inputs.Sources.Profiles;

        // Top IPs are stored as JSON: read each row's once, for the figures and the top sources alike.
        var topIps = rows.ConvertAll(r => r.ReadTopIps());

        var memo = new TextMemo(inputs.Vulnerabilities, consoleBase);
        var incidentRows = rows.Select(r => ToIncidentRow(r, profiles, inputs.Vulnerabilities, consoleBase, inputs.Now, options.OngoingWindow, memo));
        var ordered = options.IncidentOrder switch
        {
            ReportIncidentOrder.FirstHit => incidentRows.OrderByDescending(r => r.FirstSeen),
            ReportIncidentOrder.Hits => incidentRows.OrderByDescending(r => r.Hits).ThenByDescending(r => r.LastSeen),
            _ => incidentRows.OrderByDescending(r => r.LastSeen),
        };

        return new DailyReport
        {
            TenantId = inputs.TenantId,
            Day = inputs.Day,
            TimeZone = calendar.ZoneId,
            Window = window,
            Title = UntrustedText.Sanitize(options.Title, MaxTitleChars),
            CompanyName = string.IsNullOrWhiteSpace(options.CompanyName) ? null : UntrustedText.Sanitize(options.CompanyName, MaxTitleChars),
            GeneratedAt = inputs.Now,
            Coverage = inputs.Coverage,
            Figures = Figures(rows, topIps, inputs.Sources, inputs.Vulnerabilities),
            PreviousFigures = Figures(previous, previous.ConvertAll(r => r.ReadTopIps()), inputs.PreviousSources, inputs.Vulnerabilities),
            PreviousCoverage = inputs.PreviousCoverage,
            Hours = Hours(rows, window, calendar),
            ByAttackType = Count(rows, r => memo.Short(r.AttackType, "unknown"), 12),
            ByCountry = Count(rows, r => CountryOf(r, profiles) ?? "Unknown", 10),
            BySourceType = profiles.Count == 0 ? [] : Count(rows, r => Labels.SourceType(r.TopIp is { } ip && profiles.TryGetValue(ip, out var p) ? p.SourceType : null), 10),
            ByStatus = StatusCounts(rows),
            TopSources = TopSources(topIps, profiles, options.TopRows),
            TopTargets = TopTargets(rows, options.TopRows),
            Issues = Issues(rows, inputs.Vulnerabilities, consoleBase),
            Incidents = ordered.ThenBy(r => r.Id, StringComparer.Ordinal).ToList(),
            Order = options.IncidentOrder,
            Layout = options.Layout,
            FalsePositivesExcluded = inputs.Rows.Count - rows.Count,
            SourcesEnriched = profiles.Count > 0,
            Attributions = inputs.Sources.Attributions.Select(a => UntrustedText.Sanitize(a, 400)).Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    public static Uri? ConsoleLinkFor(Uri? consoleBase, long vulnerabilityId)
        => consoleBase is null || vulnerabilityId <= 0 ? null : new Uri(consoleBase, string.Create(CultureInfo.InvariantCulture, $"object/{vulnerabilityId}"));

    private static async Task<IReadOnlyList<IncidentEntity>> ReadAsync(IAsyncEnumerable<IncidentEntity> source)
    {
        var list = new List<IncidentEntity>();
        await foreach (var row in source.ConfigureAwait(false)) list.Add(row);
        return list;
    }

    /// <summary>Marked false positive in the Console: left out of every report figure, digest and alert.</summary>
    internal static bool IsFalsePositive(IncidentEntity row) => string.Equals(row.State?.Trim(), FalsePositive, StringComparison.OrdinalIgnoreCase);

    internal static string Short(string? value, string fallback)
    {
        var clean = UntrustedText.Inert(value, MaxShortChars);
        return clean.Length == 0 ? fallback : clean;
    }

    internal static string? CountryOf(IncidentEntity row, IReadOnlyDictionary<string, SourceProfile> profiles)
    {
        var code = row.TopIp is { } ip && profiles.TryGetValue(ip, out var p) && !string.IsNullOrWhiteSpace(p.CountryCode) ? p.CountryCode : row.TopIpCountry;
        // A country that needs escaping is shown as its escape (and what was cut, counted), never as a bare "…".
        return string.IsNullOrWhiteSpace(code) ? null : UntrustedText.ShortField(code, MaxCountryCodePoints).ToUpperInvariant();
    }

    internal static KeyFigures Figures(List<IncidentEntity> rows, List<IReadOnlyList<IncidentSourceIp>> topIps, SourceDay sources, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities)
    {
        if (rows.Count == 0) return KeyFigures.Empty with { Shares = sources.Profiles.Count == 0 ? null : new SourceShares(0, 0, 0, 0, 0) };
        var ips = new HashSet<string>(CountAll(topIps), StringComparer.Ordinal);
        var lowerBound = false;
        int blocked = 0, partial = 0, monitoring = 0, unknown = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, top) = (rows[i], topIps[i]);
            for (var k = 0; k < top.Count; k++) ips.Add(top[k].Ip);
            if (row.IpCount > top.Count) lowerBound = true;
            switch (row.ReadStatus())
            {
                case IncidentStatus.Blocked: blocked++; break;
                case IncidentStatus.PartiallyBlocked: partial++; break;
                case IncidentStatus.Monitoring: monitoring++; break;
                default: unknown++; break;
            }
        }

        var most = rows.Where(r => r.VulnerabilityId > 0).GroupBy(r => r.VulnerabilityId)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        IssueCount? mostExploited = most is null ? null : new IssueCount(most.Key, IssueTitle(most.Key, vulnerabilities), most.Count());

        SourceShares? shares = null;
        if (sources.Profiles.Count > 0)
        {
            shares = SourceShares.Of(ips.Select(ip => sources.Profiles.GetValueOrDefault(ip)).OfType<SourceProfile>().ToList());
        }

        return new KeyFigures(rows.Count, rows.Sum(r => r.Hits), ips.Count, lowerBound, blocked, partial, monitoring, unknown, mostExploited, shares);
    }

    /// <summary>How many top IPs the rows have in all (a capacity: sets grown entry by entry reallocate large arrays).</summary>
    private static int CountAll(List<IReadOnlyList<IncidentSourceIp>> topIps)
    {
        var count = 0;
        foreach (var row in topIps) count += row.Count;
        return count;
    }

    internal static string IssueTitle(long id, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities)
        => vulnerabilities.TryGetValue(id, out var v) && !string.IsNullOrWhiteSpace(v.Title)
            ? UntrustedText.Inert(v.Title, MaxTitleChars)
            : Labels.UnnamedIssue(id);

    private static List<HourBucket> Hours(List<IncidentEntity> rows, TimeWindow window, ReportCalendar calendar)
    {
        var count = (int)Math.Ceiling(window.Duration.TotalHours);
        var incidents = new int[count];
        var hits = new long[count];
        foreach (var row in rows)
        {
            var start = row.FirstSeen < window.From ? window.From : row.FirstSeen;
            var index = Math.Clamp((int)Math.Floor((start - window.From).TotalHours), 0, count - 1);
            incidents[index]++;
            hits[index] += row.Hits;
        }

        // On a DST day a local hour repeats or is skipped: label each bucket with its UTC offset then.
        var showOffset = window.Duration != TimeSpan.FromHours(24);
        return Enumerable.Range(0, count).Select(i =>
        {
            var local = Instant.FromDateTimeOffset(window.From.AddHours(i)).InZone(calendar.Zone);
            var label = local.ToString(showOffset ? "HH:mm o<+HH>" : "HH:mm", CultureInfo.InvariantCulture);
            return new HourBucket(label, incidents[i], hits[i]);
        }).ToList();
    }

    internal static List<NamedCount> Count<T>(IEnumerable<T> rows, Func<T, string> key, int top)
    {
        var groups = rows.GroupBy(key, StringComparer.Ordinal)
            .Select(g => new NamedCount(g.Key, g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal)
            .ToList();
        if (groups.Count <= top) return groups;
        var rest = groups.Skip(top - 1).Sum(g => g.Count);
        return [.. groups.Take(top - 1), new NamedCount("Other", rest)];
    }

    private static List<NamedCount> StatusCounts(List<IncidentEntity> rows)
    {
        var counts = rows.GroupBy(r => r.ReadStatus()).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<NamedCount>();
        foreach (var status in Labels.StatusOrder)
        {
            var n = counts.GetValueOrDefault(status);
            if (n > 0 || status != IncidentStatus.Unknown) result.Add(new NamedCount(Labels.Status(status), n));
        }

        return result;
    }

    private static List<SourceRow> TopSources(List<IReadOnlyList<IncidentSourceIp>> topIps, IReadOnlyDictionary<string, SourceProfile> profiles, int top)
    {
        var byIp = new Dictionary<string, (long Hits, int Incidents, string? Country)>(CountAll(topIps), StringComparer.Ordinal);
        foreach (var row in topIps)
        {
            for (var k = 0; k < row.Count; k++)
            {
                var ip = row[k];
                ref var current = ref CollectionsMarshal.GetValueRefOrAddDefault(byIp, ip.Ip, out _);
                current = (current.Hits + ip.Hits, current.Incidents + 1, current.Country ?? ip.Country);
            }
        }

        return byIp.OrderByDescending(kv => kv.Value.Hits).ThenByDescending(kv => kv.Value.Incidents).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(top)
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
    }

    internal static List<TargetRow> TopTargets(List<IncidentEntity> rows, int top)
        => TopTargets(rows.Select(r => (r.Domain ?? "", r.Path ?? "", r.Hits)), top);

    /// <param name="rows">Per incident its domain and path ("" when none) and hits, in the order ties keep.</param>
    internal static List<TargetRow> TopTargets(IEnumerable<(string Domain, string Path, long Hits)> rows, int top)
    {
        // Ranked by the figures first; only the groups that can make the top (ties at the cut included, since their
        // cleaned text breaks ties) are sanitised, not every distinct path of the day.
        var groups = rows.GroupBy(r => (r.Domain, r.Path))
            .Select(g => (g.Key.Domain, g.Key.Path, Incidents: g.Count(), Hits: g.Sum(r => r.Hits)))
            .OrderByDescending(t => t.Incidents).ThenByDescending(t => t.Hits)
            .ToList();
        var cut = Math.Clamp(top, 0, groups.Count);
        while (cut > 0 && cut < groups.Count && groups[cut].Incidents == groups[cut - 1].Incidents && groups[cut].Hits == groups[cut - 1].Hits) cut++;
        return groups.Take(cut)
            .Select(g => new TargetRow(
                UntrustedText.Inert(g.Domain, MaxDomainChars),
                UntrustedText.Inert(g.Path, MaxPathChars, showCutCount: true),
                g.Incidents,
                g.Hits))
            .OrderByDescending(t => t.Incidents).ThenByDescending(t => t.Hits).ThenBy(t => t.Domain, StringComparer.Ordinal).ThenBy(t => t.Path, StringComparer.Ordinal)
            .Take(top)
            .ToList();
    }

    private static List<IssueRow> Issues(List<IncidentEntity> rows, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities, Uri? consoleBase)
        => rows.Where(r => r.VulnerabilityId > 0).GroupBy(r => r.VulnerabilityId)
            .Select(g =>
            {
                var v = vulnerabilities.GetValueOrDefault(g.Key);
                return new IssueRow(
                    g.Key,
                    IssueTitle(g.Key, vulnerabilities),
                    v?.Type is { } type ? UntrustedText.Inert(type, MaxShortChars) : null,
                    v?.Threat ?? g.Max(r => r.Threat),
                    v?.Status is { } status ? UntrustedText.Inert(status, MaxShortChars) : null,
                    g.Count(),
                    ConsoleLinkFor(consoleBase, g.Key));
            })
            .OrderByDescending(i => i.Incidents).ThenByDescending(i => i.Threat ?? 0).ThenBy(i => i.VulnerabilityId)
            .Take(100)
            .ToList();

    /// <summary>One stored incident as reports and chat show it (<paramref name="now"/> and <paramref name="ongoingWindow"/> only set <see cref="IncidentRow.Ongoing"/>).</summary>
    /// <param name="memo">Within one report: values that repeat across rows (attack types, domains, methods, issue titles, Console links) made once; its Console address is then the one used.</param>
    internal static IncidentRow ToIncidentRow(IncidentEntity r, IReadOnlyDictionary<string, SourceProfile> profiles, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities, Uri? consoleBase, DateTimeOffset now, TimeSpan ongoingWindow, TextMemo? memo = null)
    {
        var profile = r.TopIp is { } ip ? profiles.GetValueOrDefault(ip) : null;
        return new IncidentRow
        {
            Id = UntrustedText.Sanitize(r.IncidentId, 80),
            FirstSeen = r.FirstSeen,
            LastSeen = r.LastSeen,
            Ongoing = now - r.LastSeen <= ongoingWindow,
            AttackType = memo?.Short(r.AttackType, "unknown") ?? Short(r.AttackType, "unknown"),
            PayloadCount = r.PayloadCount,
            Hits = r.Hits,
            TopIp = r.TopIp is null ? null : UntrustedText.Inert(r.TopIp, 64),
            IpCount = r.IpCount,
            Country = CountryOf(r, profiles),
            CountryName = string.IsNullOrWhiteSpace(profile?.CountryName) ? null : UntrustedText.Inert(profile.CountryName, 40),
            SourceType = profile?.SourceType,
            MaliciousLists = profile?.MaliciousLists.Take(3).Select(l => UntrustedText.Inert(l, 40)).ToList() ?? [],
            Domain = r.Domain is null ? null : memo?.Inert(r.Domain, MaxDomainChars) ?? UntrustedText.Inert(r.Domain, MaxDomainChars),
            Path = r.Path is null ? null : UntrustedText.Inert(r.Path, MaxPathChars, showCutCount: true),
            Method = r.Method is null ? null : memo?.Inert(r.Method, 16) ?? UntrustedText.Inert(r.Method, 16),
            ApplicationId = r.ApplicationId,
            Status = r.ReadStatus(),
            Parameter = r.Parameter is null ? null : UntrustedText.Inert(r.Parameter, MaxParameterChars, showCutCount: true),
            VulnerabilityId = r.VulnerabilityId,
            VulnerabilityTitle = r.VulnerabilityId > 0 ? memo?.IssueTitle(r.VulnerabilityId) ?? IssueTitle(r.VulnerabilityId, vulnerabilities) : null,
            Threat = r.Threat,
            ConsoleLink = memo is null ? ConsoleLinkFor(consoleBase, r.VulnerabilityId) : memo.ConsoleLink(r.VulnerabilityId),
        };
    }
}

/// <summary>
/// Cleaned forms of values that repeat across one report's rows, each computed once: cleaning is a pure function of
/// the value and its bounds, so a remembered result is the result. Per report, so it is bounded by the day's rows.
/// </summary>
internal sealed class TextMemo(IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities, Uri? consoleBase)
{
    private readonly Dictionary<(string Value, int MaxChars), string> _inert = [];
    private readonly Dictionary<long, string> _titles = [];
    private readonly Dictionary<long, Uri?> _links = [];

    /// <summary>As <see cref="UntrustedText.Inert"/> (no cut count, no substitution).</summary>
    public string Inert(string value, int maxChars)
    {
        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_inert, (value, maxChars), out var exists);
        if (!exists) known = UntrustedText.Inert(value, maxChars);
        return known!;
    }

    /// <summary>As <see cref="DailyReportBuilder.Short"/>.</summary>
    public string Short(string? value, string fallback)
    {
        if (value is null) return DailyReportBuilder.Short(value, fallback);
        var clean = Inert(value, DailyReportBuilder.MaxShortChars);
        return clean.Length == 0 ? fallback : clean;
    }

    /// <summary>As <see cref="DailyReportBuilder.ConsoleLinkFor"/> with the report's Console address (a new <see cref="Uri"/> per row was a parse per row).</summary>
    public Uri? ConsoleLink(long vulnerabilityId)
    {
        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_links, vulnerabilityId, out var exists);
        if (!exists) known = DailyReportBuilder.ConsoleLinkFor(consoleBase, vulnerabilityId);
        return known;
    }

    /// <summary>As <see cref="DailyReportBuilder.IssueTitle"/>.</summary>
    public string IssueTitle(long id)
    {
        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_titles, id, out var exists);
        if (!exists) known = DailyReportBuilder.IssueTitle(id, vulnerabilities);
        return known!;
    }
}
