using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Text;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>One stored report day as a period report reads it; <see cref="Coverage"/> is null for a day not reached yet.</summary>
public sealed record PeriodDayInputs(LocalDate Day, IReadOnlyList<IncidentEntity> Rows, SourceDay Sources, DayCoverage? Coverage);

/// <summary>What a period report is computed from: the period's stored days and the previous period's.</summary>
public sealed record PeriodReportInputs(
    long TenantId,
    ReportPeriod Period,
    IReadOnlyList<PeriodDayInputs> Days,
    IReadOnlyList<PeriodDayInputs> PreviousDays,
    IReadOnlyDictionary<long, VulnerabilityEntity> Vulnerabilities,
    DateTimeOffset Now,
    bool Partial);

/// <summary>Reads a week's or month's day partitions (in parallel) and the previous period's, and computes the <see cref="PeriodReport"/>.</summary>
public sealed class PeriodReportBuilder(
    IncidentStore incidents,
    CoverageLog coverage,
    VulnerabilityCatalog vulnerabilities,
    SourceProfileStore sources,
    ReportCalendar calendar,
    IOptions<ReportOptions> options,
    IOptions<WallarmOptions> wallarm,
    TimeProvider time)
{
    /// <summary>A month lists this many incidents (by hits); the full list is in the daily reports and the CSV.</summary>
    public const int MonthTopIncidents = 100;

    internal const int MaxRecurringAttackers = 40;
    internal const int BusiestDayCount = 5;
    internal const int AttackTypeRows = 8;
    private const int ReadParallelism = 4;

    public async Task<PeriodReport> BuildAsync(long tenantId, ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = calendar.DayOf(now);
        var catalog = vulnerabilities.GetAllAsync(tenantId, cancellationToken);
        var days = ReadDaysAsync(tenantId, period.Days.ToList(), today, now, withCoverage: true, PeriodColumns, cancellationToken);
        var previous = ReadDaysAsync(tenantId, period.Previous().Days.ToList(), today, now, withCoverage: false, PreviousPeriodColumns, cancellationToken);
        await Task.WhenAll(catalog, days, previous).ConfigureAwait(false);
        var inputs = new PeriodReportInputs(tenantId, period, days.Result, previous.Result, catalog.Result, now, !calendar.IsComplete(period, now));
        return Build(inputs, calendar, options.Value, wallarm.Value.ResolveConsoleAddress());
    }

    /// <summary>
    /// What the previous period is read for: its key figures (statuses, hits, unique IPs), its security issues and the
    /// false-positive rule. Reading only these keeps a month's comparison from holding a second month of full rows.
    /// </summary>
    internal static readonly string[] PreviousPeriodColumns =
    [
        nameof(IncidentEntity.PartitionKey), nameof(IncidentEntity.RowKey), nameof(IncidentEntity.IncidentId), nameof(IncidentEntity.Hits),
        nameof(IncidentEntity.IpCount), nameof(IncidentEntity.TopIpsJson), nameof(IncidentEntity.Status), nameof(IncidentEntity.VulnerabilityId),
        nameof(IncidentEntity.State),
    ];

    /// <summary>
    /// What the period's own rows are read for: the figures and tables of the period report and the incident rows it
    /// lists (<see cref="DailyReportBuilder.ToIncidentRow"/>). Left out: what only the daily report, the CSV or
    /// ingestion use (target, point, status codes, block status, read notes, pull time), which a month would otherwise
    /// hold 31,000 times.
    /// </summary>
    internal static readonly string[] PeriodColumns =
    [
        .. PreviousPeriodColumns,
        nameof(IncidentEntity.FirstSeen), nameof(IncidentEntity.LastSeen), nameof(IncidentEntity.AttackType), nameof(IncidentEntity.Domain),
        nameof(IncidentEntity.Path), nameof(IncidentEntity.Method), nameof(IncidentEntity.Parameter), nameof(IncidentEntity.ApplicationId),
        nameof(IncidentEntity.PayloadCount), nameof(IncidentEntity.Threat), nameof(IncidentEntity.TopIp), nameof(IncidentEntity.TopIpCountry),
    ];

    private async Task<IReadOnlyList<PeriodDayInputs>> ReadDaysAsync(long tenantId, List<LocalDate> days, LocalDate today, DateTimeOffset now, bool withCoverage, string[]? select, CancellationToken cancellationToken)
    {
        var result = new PeriodDayInputs[days.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, days.Count), new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var day = days[i];
            if (day > today)
            {
                result[i] = new PeriodDayInputs(day, [], SourceDay.Empty, null);
                return;
            }

            var rows = new List<IncidentEntity>();
            var daySources = sources.GetDayAsync(tenantId, day, ct);
            var dayCoverage = withCoverage ? coverage.GetDayAsync(tenantId, day, now, ct) : Task.FromResult<DayCoverage>(null!);
            await foreach (var row in incidents.GetDayAsync(tenantId, day, select, ct).ConfigureAwait(false)) rows.Add(row);
            result[i] = new PeriodDayInputs(day, rows, await daySources.ConfigureAwait(false), withCoverage ? await dayCoverage.ConfigureAwait(false) : null);
        }).ConfigureAwait(false);
        return result;
    }

    /// <summary>The model from already-read inputs (pure: used by tests and benchmarks too).</summary>
    public static PeriodReport Build(PeriodReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri? consoleBase)
    {
        var period = inputs.Period;
        var days = inputs.Days.Select(d => d with { Rows = d.Rows.Where(r => !DailyReportBuilder.IsFalsePositive(r)).ToList() }).ToList();
        var previousDays = inputs.PreviousDays.Select(d => d with { Rows = d.Rows.Where(r => !DailyReportBuilder.IsFalsePositive(r)).ToList() }).ToList();
        var profiles = MergeProfiles(days);
        var distinct = Distinct(days);
        var previousDistinct = Distinct(previousDays);
        var previousIssues = previousDistinct.Where(r => r.VulnerabilityId > 0).Select(r => r.VulnerabilityId).ToHashSet();

        var topOnly = period.Kind == PeriodKind.Month && distinct.Count > MonthTopIncidents;
        // A month lists only its top incidents: choose them from the stored rows (same order) before mapping, so the
        // sanitising and defanging of every field is paid for the listed ones, not for 30,000.
        var mapped = topOnly
            ? distinct.OrderByDescending(r => r.Hits).ThenByDescending(r => r.LastSeen).ThenBy(r => r.IncidentId, StringComparer.Ordinal).Take(MonthTopIncidents)
            : distinct;
        var incidentRows = mapped.Select(r => DailyReportBuilder.ToIncidentRow(r, profiles, inputs.Vulnerabilities, consoleBase, inputs.Now, options.OngoingWindow));
        var listed = (period.Kind == PeriodKind.Month
                ? incidentRows.OrderByDescending(r => r.Hits).ThenByDescending(r => r.LastSeen)
                : options.IncidentOrder switch
                {
                    ReportIncidentOrder.FirstHit => incidentRows.OrderByDescending(r => r.FirstSeen),
                    ReportIncidentOrder.Hits => incidentRows.OrderByDescending(r => r.Hits).ThenByDescending(r => r.LastSeen),
                    _ => incidentRows.OrderByDescending(r => r.LastSeen),
                })
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(topOnly ? MonthTopIncidents : int.MaxValue)
            .ToList();

        var perDay = days.Select(d => new PeriodDay(
            d.Day,
            d.Rows.Count,
            d.Rows.Sum(r => r.Hits),
            d.Rows.Count(r => r.ReadStatus() == IncidentStatus.Blocked),
            d.Rows.Count(r => r.ReadStatus() == IncidentStatus.PartiallyBlocked),
            d.Rows.Count(r => r.ReadStatus() == IncidentStatus.Monitoring),
            d.Rows.Count(r => r.ReadStatus() == IncidentStatus.Unknown),
            d.Coverage)).ToList();
        var (recurring, recurringTotal) = RecurringAttackers(days, profiles);
        var issueIds = distinct.Where(r => r.VulnerabilityId > 0).Select(r => r.VulnerabilityId).ToHashSet();

        return new PeriodReport
        {
            TenantId = inputs.TenantId,
            Period = period,
            TimeZone = calendar.ZoneId,
            Window = calendar.WindowOf(period),
            Title = UntrustedText.Sanitize(TitleFor(options.Title, period.Kind), DailyReportBuilder.MaxTitleChars),
            CompanyName = string.IsNullOrWhiteSpace(options.CompanyName) ? null : UntrustedText.Sanitize(options.CompanyName, DailyReportBuilder.MaxTitleChars),
            GeneratedAt = inputs.Now,
            Partial = inputs.Partial,
            Figures = DailyReportBuilder.Figures(distinct, distinct.ConvertAll(r => r.ReadTopIps()), new SourceDay(profiles, []), inputs.Vulnerabilities),
            PreviousFigures = DailyReportBuilder.Figures(previousDistinct, previousDistinct.ConvertAll(r => r.ReadTopIps()), new SourceDay(MergeProfiles(previousDays), []), inputs.Vulnerabilities),
            Days = perDay,
            ByAttackType = DailyReportBuilder.Count(distinct, r => DailyReportBuilder.Short(r.AttackType, "unknown"), 12),
            AttackTypes = AttackTypes(period, days),
            RecurringAttackers = recurring,
            RecurringAttackersTotal = recurringTotal,
            TopTargets = DailyReportBuilder.TopTargets(distinct, options.TopRows),
            Issues = Issues(days, distinct, previousIssues, inputs.Vulnerabilities, consoleBase),
            IssuesTotal = issueIds.Count,
            NewIssuesTotal = issueIds.Count(id => !previousIssues.Contains(id)),
            BusiestDays = perDay.Where(d => d.Incidents > 0).OrderByDescending(d => d.Incidents).ThenByDescending(d => d.Hits).ThenBy(d => d.Day)
                .Take(BusiestDayCount)
                .Select(d => new BusyDay(d.Day, d.Incidents, d.Hits, DailyLink(options.PublicBaseUrl, d.Day)))
                .ToList(),
            Incidents = listed,
            IncidentsTotal = distinct.Count,
            IncidentsAreTopOnly = topOnly,
            FalsePositivesExcluded = inputs.Days.SelectMany(d => d.Rows).Where(DailyReportBuilder.IsFalsePositive).Select(r => r.IncidentId).Distinct(StringComparer.Ordinal).Count(),
            SourcesEnriched = profiles.Count > 0,
            Attributions = days.SelectMany(d => d.Sources.Attributions).Select(a => UntrustedText.Sanitize(a, 400)).Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>The configured title names the day; a period report says its own period unless the title was changed.</summary>
    private static string TitleFor(string title, PeriodKind kind)
        => string.Equals(title, new ReportOptions().Title, StringComparison.Ordinal)
            ? kind == PeriodKind.Week ? "Weekly incident report" : "Monthly incident report"
            : title;

    internal static Uri? DailyLink(Uri? publicBase, LocalDate day)
        => publicBase is null ? null : new Uri(publicBase.AbsoluteUri.EndsWith('/') ? publicBase : new Uri(publicBase.AbsoluteUri + "/"), DailyReportEndpoint.PathFor(ReportCalendar.IsoDay(day)));

    /// <summary>Each incident once: its row of the latest day it was active on (its figures are the most complete there).</summary>
    private static List<IncidentEntity> Distinct(IEnumerable<PeriodDayInputs> days)
    {
        var byId = new Dictionary<string, IncidentEntity>(StringComparer.Ordinal);
        foreach (var day in days.OrderBy(d => d.Day))
        {
            foreach (var row in day.Rows) byId[row.IncidentId] = row;
        }

        return [.. byId.Values];
    }

    /// <summary>Every IP's profile from the latest day that enriched it.</summary>
    private static Dictionary<string, SourceProfile> MergeProfiles(IEnumerable<PeriodDayInputs> days)
    {
        var merged = new Dictionary<string, SourceProfile>(StringComparer.Ordinal);
        foreach (var day in days.OrderBy(d => d.Day))
        {
            foreach (var (ip, profile) in day.Sources.Profiles) merged[ip] = profile;
        }

        return merged;
    }

    private static (List<RecurringAttacker> Top, int Total) RecurringAttackers(List<PeriodDayInputs> days, Dictionary<string, SourceProfile> profiles)
    {
        var seen = new Dictionary<string, (SortedSet<LocalDate> Days, Dictionary<string, long> HitsByIncident, string? Country)>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            foreach (var row in day.Rows)
            {
                foreach (var ip in row.ReadTopIps())
                {
                    if (!seen.TryGetValue(ip.Ip, out var entry))
                    {
                        entry = ([], new Dictionary<string, long>(StringComparer.Ordinal), ip.Country);
                        seen[ip.Ip] = entry;
                    }

                    entry.Days.Add(day.Day);
                    // An incident across midnight is stored on both days with its running total: count its hits once.
                    entry.HitsByIncident[row.IncidentId] = Math.Max(entry.HitsByIncident.GetValueOrDefault(row.IncidentId), ip.Hits);
                }
            }
        }

        var recurring = seen.Where(kv => kv.Value.Days.Count >= 2).ToList();
        var top = recurring
            .OrderByDescending(kv => kv.Value.Days.Count).ThenByDescending(kv => kv.Value.HitsByIncident.Values.Sum()).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(MaxRecurringAttackers)
            .Select(kv =>
            {
                var profile = profiles.GetValueOrDefault(kv.Key);
                var country = profile?.CountryName ?? profile?.CountryCode ?? kv.Value.Country;
                return new RecurringAttacker(
                    UntrustedText.Inert(kv.Key, 64),
                    [.. kv.Value.Days],
                    kv.Value.HitsByIncident.Values.Sum(),
                    kv.Value.HitsByIncident.Count,
                    country is null ? null : UntrustedText.Inert(country, 40),
                    profile?.Asn,
                    profile?.AsOrganization is { } org ? UntrustedText.Inert(org, 80) : null,
                    profile?.SourceType,
                    profile?.CloudProvider is { } cloud ? UntrustedText.Inert(cloud, 40) : null,
                    profile?.MaliciousLists.Take(5).Select(l => UntrustedText.Inert(l, 40)).ToList() ?? []);
            })
            .ToList();
        return (top, recurring.Count);
    }

    /// <summary>A week: incidents per attack type per day; a month: per ISO week (an incident counted once per column it was active in).</summary>
    private static AttackTypeGrid AttackTypes(ReportPeriod period, List<PeriodDayInputs> days)
    {
        var columns = period.Kind == PeriodKind.Week
            ? days.Select(d => (Label: d.Day.ToString("ddd d", CultureInfo.InvariantCulture), Days: new[] { d }.ToList())).ToList()
            : days.GroupBy(d => ReportPeriod.WeekOf(d.Day).Key).Select(g => (Label: g.Key[5..], Days: g.ToList())).ToList();
        var perColumn = columns.Select(c => c.Days.SelectMany(d => d.Rows)
                .GroupBy(r => r.IncidentId, StringComparer.Ordinal).Select(g => g.Last())
                .GroupBy(r => DailyReportBuilder.Short(r.AttackType, "unknown"), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal))
            .ToList();
        var totals = days.SelectMany(d => d.Rows).GroupBy(r => r.IncidentId, StringComparer.Ordinal).Select(g => g.Last())
            .GroupBy(r => DailyReportBuilder.Short(r.AttackType, "unknown"), StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal)
            .Take(AttackTypeRows)
            .ToList();
        return new AttackTypeGrid(
            columns.ConvertAll(c => c.Label),
            totals.ConvertAll(t => new AttackTypeRow(t.Name, perColumn.ConvertAll(c => c.GetValueOrDefault(t.Name)), t.Count)));
    }

    private static List<PeriodIssueRow> Issues(List<PeriodDayInputs> days, List<IncidentEntity> distinct, HashSet<long> previousIssues, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities, Uri? consoleBase)
    {
        var daysHit = days.SelectMany(d => d.Rows.Where(r => r.VulnerabilityId > 0).Select(r => (r.VulnerabilityId, d.Day)))
            .GroupBy(x => x.VulnerabilityId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<LocalDate>)g.Select(x => x.Day).Distinct().Order().ToList());
        return distinct.Where(r => r.VulnerabilityId > 0).GroupBy(r => r.VulnerabilityId)
            .Select(g =>
            {
                var v = vulnerabilities.GetValueOrDefault(g.Key);
                var issue = new IssueRow(
                    g.Key,
                    DailyReportBuilder.IssueTitle(g.Key, vulnerabilities),
                    v?.Type is { } type ? UntrustedText.Inert(type, DailyReportBuilder.MaxShortChars) : null,
                    v?.Threat ?? g.Max(r => r.Threat),
                    v?.Status is { } status ? UntrustedText.Inert(status, DailyReportBuilder.MaxShortChars) : null,
                    g.Count(),
                    DailyReportBuilder.ConsoleLinkFor(consoleBase, g.Key));
                return new PeriodIssueRow(issue, !previousIssues.Contains(g.Key), daysHit[g.Key]);
            })
            .OrderByDescending(i => i.Issue.Incidents).ThenByDescending(i => i.Issue.Threat ?? 0).ThenBy(i => i.Issue.VulnerabilityId)
            .Take(100)
            .ToList();
    }
}
