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
    IOptions<EnrichmentOptions> enrichment,
    TimeProvider time)
{
    /// <summary>
    /// Rows per storage request while both days are read at once. With the service's 1,000, the pages in flight outlived
    /// young-generation collections and a 10,000-incident day's report peaked 20-30 MB higher (<c>daily-report-memory</c>);
    /// a day of a thousand or so incidents takes four requests instead of one, which did not show in
    /// <c>first-requests</c>. The period report keeps 1,000: it scans its days one after another, where 250 cost a
    /// month 4 s (9.3 to 13.6 s).
    /// </summary>
    internal const int PageSize = 250;

    internal const int MaxPathChars = 300;
    internal const int MaxDomainChars = 120;
    internal const int MaxParameterChars = 200;
    internal const int MaxTitleChars = 200;
    internal const int MaxShortChars = 60;
    internal const int MaxCountryCodePoints = 8;
    private const string FalsePositive = "falsepositive";

    public Task<DailyReport> BuildAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
        => BuildAsync(tenantId, day, int.MaxValue, cancellationToken);

    /// <summary>
    /// As <see cref="BuildAsync(long, LocalDate, CancellationToken)"/> from at most <paramref name="maxRows"/> rows of
    /// each stored set it reads (each day's incidents and profiles): the start-up warm-up runs the same code on a
    /// bounded sample of a busy day.
    /// </summary>
    internal async Task<DailyReport> BuildAsync(long tenantId, LocalDate day, int maxRows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var coverageTask = coverage.GetDayAsync(tenantId, day, now, cancellationToken);
        // The change column compares with the day before; a partly pulled day before must be said, not hidden.
        var previousCoverageTask = coverage.GetDayAsync(tenantId, day.PlusDays(-1), now, cancellationToken);
        var vulnerabilitiesTask = vulnerabilities.GetAllAsync(tenantId, cancellationToken);
        var sourcesTask = sources.GetDayAsync(tenantId, day, static p => p, maxRows, cancellationToken);
        // The day before shows only its figures, whose shares read a profile's type and reputation: its profiles are
        // cut to those as they are read (a busy day's full profiles, provenance and all, were megabytes at the peak).
        var previousSourcesTask = sources.GetDayAsync(tenantId, day.PlusDays(-1), ForShares, maxRows, cancellationToken);
        // Both days are folded as they are read (only the columns the report shows): a busy day's stored rows were
        // most of a report's memory.
        var previousTask = CountAsync(
            incidents.GetDayAsync(tenantId, day.PlusDays(-1), ReportColumns.Figures, PageSize, cancellationToken).Take(maxRows),
            new DayFigures(() => previousSourcesTask.IsCompletedSuccessfully ? previousSourcesTask.Result.Profiles : null));
        var foldTask = FoldAsync(
            incidents.GetDayAsync(tenantId, day, ReportColumns.Listed, PageSize, cancellationToken).Take(maxRows),
            Task.WhenAll(vulnerabilitiesTask, sourcesTask),
            () => new DailyReportFold(day, calendar, options.Value, vulnerabilitiesTask.Result, sourcesTask.Result, wallarm.Value.ResolveConsoleAddress(), now));
        await Task.WhenAll(foldTask, previousTask, coverageTask, previousCoverageTask, previousSourcesTask).ConfigureAwait(false);

        return foldTask.Result.ToReport(tenantId, previousTask.Result.ToFigures(previousSourcesTask.Result, vulnerabilitiesTask.Result), coverageTask.Result, previousCoverageTask.Result)
            with { StaleDataAfter = enrichment.Value.StaleAfter };
    }

    /// <summary>The model from already-read inputs (pure: used by tests and benchmarks too), through the same fold.</summary>
    public static DailyReport Build(DailyReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri? consoleBase)
    {
        var fold = new DailyReportFold(inputs.Day, calendar, options, inputs.Vulnerabilities, inputs.Sources, consoleBase, inputs.Now);
        foreach (var row in inputs.Rows) fold.Add(row);
        return fold.ToReport(inputs.TenantId, Figures(inputs.PreviousRows, inputs.PreviousSources, inputs.Vulnerabilities), inputs.Coverage, inputs.PreviousCoverage);
    }

    public static Uri? ConsoleLinkFor(Uri? consoleBase, long vulnerabilityId)
        => consoleBase is null || vulnerabilityId <= 0 ? null : new Uri(consoleBase, string.Create(CultureInfo.InvariantCulture, $"object/{vulnerabilityId}"));

    /// <summary>
    /// Folds <paramref name="rows"/> as they arrive. Rows that come before <paramref name="ready"/> (the profiles and
    /// issue titles each row needs) wait for it, so reading need not wait.
    /// </summary>
    internal static async Task<DailyReportFold> FoldAsync(IAsyncEnumerable<IncidentEntity> rows, Task ready, Func<DailyReportFold> create)
    {
        DailyReportFold? fold = null;
        var waiting = new List<IncidentEntity>();
        await foreach (var row in rows.ConfigureAwait(false))
        {
            if (fold is null && ready.IsCompleted)
            {
                await ready.ConfigureAwait(false);
                fold = Start(create, waiting);
            }

            if (fold is null) waiting.Add(row);
            else fold.Add(row);
        }

        await ready.ConfigureAwait(false);
        return fold ?? Start(create, waiting);

        static DailyReportFold Start(Func<DailyReportFold> create, List<IncidentEntity> waiting)
        {
            var fold = create();
            foreach (var row in waiting) fold.Add(row);
            waiting.Clear();
            return fold;
        }
    }

    private static async Task<DayFigures> CountAsync(IAsyncEnumerable<IncidentEntity> rows, DayFigures figures)
    {
        await foreach (var row in rows.ConfigureAwait(false)) Count(figures, row);
        return figures;
    }

    private static void Count(DayFigures figures, IncidentEntity row)
    {
        if (!IsFalsePositive(row)) figures.Add(row, row.ReadTopIps(), row.ReadStatus());
    }

    /// <summary>What <see cref="SourceShares.Of"/> and the figures' IP strings read of a profile: address, type, listed or not.</summary>
    internal static SourceProfile ForShares(SourceProfile profile) => new()
    {
        Ip = profile.Ip,
        SourceType = profile.SourceType,
        MaliciousLists = profile.IsMalicious ? [profile.MaliciousLists[0]] : [],
    };

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

    /// <summary>The key figures of a day's <paramref name="rows"/> (those marked false positive left out).</summary>
    internal static KeyFigures Figures(IEnumerable<IncidentEntity> rows, SourceDay sources, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities)
    {
        var figures = new DayFigures(() => sources.Profiles);
        foreach (var row in rows) Count(figures, row);
        return figures.ToFigures(sources, vulnerabilities);
    }

    internal static string IssueTitle(long id, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities)
        => vulnerabilities.TryGetValue(id, out var v) && !string.IsNullOrWhiteSpace(v.Title)
            ? UntrustedText.Inert(v.Title, MaxTitleChars)
            : Labels.UnnamedIssue(id);

    internal static List<NamedCount> Count<T>(IEnumerable<T> rows, Func<T, string> key, int top)
        => TopCounts(rows.GroupBy(key, StringComparer.Ordinal).Select(g => new KeyValuePair<string, int>(g.Key, g.Count())), top);

    /// <summary>The <paramref name="top"/> largest counts (then by name); beyond them, the last bar is "Other".</summary>
    internal static List<NamedCount> TopCounts(IEnumerable<KeyValuePair<string, int>> counts, int top)
    {
        var groups = counts.Select(c => new NamedCount(c.Key, c.Value))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal)
            .ToList();
        if (groups.Count <= top) return groups;
        var rest = groups.Skip(top - 1).Sum(g => g.Count);
        return [.. groups.Take(top - 1), new NamedCount("Other", rest)];
    }

    internal static List<TargetRow> TopTargets(List<IncidentEntity> rows, int top)
        => TopTargets(rows.Select(r => (r.Domain ?? "", r.Path ?? "", r.Hits)), top);

    /// <param name="rows">Per incident its domain and path ("" when none) and hits, in the order ties keep.</param>
    internal static List<TargetRow> TopTargets(IEnumerable<(string Domain, string Path, long Hits)> rows, int top)
        => TopTargets(rows.GroupBy(r => (r.Domain, r.Path)).Select(g => (g.Key.Domain, g.Key.Path, g.Count(), g.Sum(r => r.Hits))), top);

    /// <param name="groups">Per domain and path ("" when none) its incidents and hits, in the order ties keep.</param>
    internal static List<TargetRow> TopTargets(IEnumerable<(string Domain, string Path, int Incidents, long Hits)> groups, int top)
    {
        // Ranked by the figures first; only the groups that can make the top (ties at the cut included, since their
        // cleaned text breaks ties) are sanitised, not every distinct path of the day.
        var ranked = groups.OrderByDescending(t => t.Incidents).ThenByDescending(t => t.Hits).ToList();
        var cut = Math.Clamp(top, 0, ranked.Count);
        while (cut > 0 && cut < ranked.Count && ranked[cut].Incidents == ranked[cut - 1].Incidents && ranked[cut].Hits == ranked[cut - 1].Hits) cut++;
        return ranked.Take(cut)
            .Select(g => new TargetRow(
                UntrustedText.Inert(g.Domain, MaxDomainChars),
                UntrustedText.Inert(g.Path, MaxPathChars, showCutCount: true),
                g.Incidents,
                g.Hits))
            .OrderByDescending(t => t.Incidents).ThenByDescending(t => t.Hits).ThenBy(t => t.Domain, StringComparer.Ordinal).ThenBy(t => t.Path, StringComparer.Ordinal)
            .Take(top)
            .ToList();
    }

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
            Ongoing = now - r.LastSeen < ongoingWindow, // strict: at last hit + window the label has run out, as the stored file's StaleAfter says
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
