using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Text;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// <see cref="PeriodReportBuilder.Build"/> as it was before it folded days (commit 0f2f644): every day's rows held,
/// then computed. Kept as the oracle the fold is compared with (<see cref="PeriodAccumulatorTests"/>); not used by
/// the product.
/// </summary>
internal static class PeriodReportReference
{
    /// <summary>The model as the builder computed it before the fold, from held rows.</summary>
    public static PeriodReport Build(PeriodReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri? consoleBase)
    {
        var period = inputs.Period;
        var days = inputs.Days.Select(d => d with { Rows = d.Rows.Where(r => !DailyReportBuilder.IsFalsePositive(r)).ToList() }).ToList();
        var previousDays = inputs.PreviousDays.Select(d => d with { Rows = d.Rows.Where(r => !DailyReportBuilder.IsFalsePositive(r)).ToList() }).ToList();
        var profiles = MergeProfiles(days);
        var distinct = Distinct(days);
        var previousDistinct = Distinct(previousDays);
        var previousIssues = previousDistinct.Where(r => r.VulnerabilityId > 0).Select(r => r.VulnerabilityId).ToHashSet();

        var topOnly = period.Kind == PeriodKind.Month && distinct.Count > PeriodReportBuilder.MonthTopIncidents;
        // A month lists only its top incidents: choose them from the stored rows (same order) before mapping, so the
        // sanitising and defanging of every field is paid for the listed ones, not for 30,000.
        var mapped = topOnly
            ? distinct.OrderByDescending(r => r.Hits).ThenByDescending(r => r.LastSeen).ThenBy(r => r.IncidentId, StringComparer.Ordinal).Take(PeriodReportBuilder.MonthTopIncidents)
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
            .Take(topOnly ? PeriodReportBuilder.MonthTopIncidents : int.MaxValue)
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
            Title = UntrustedText.Sanitize(PeriodReportBuilder.TitleFor(options.Title, period.Kind), DailyReportBuilder.MaxTitleChars),
            CompanyName = string.IsNullOrWhiteSpace(options.CompanyName) ? null : UntrustedText.Sanitize(options.CompanyName, DailyReportBuilder.MaxTitleChars),
            GeneratedAt = inputs.Now,
            Partial = inputs.Partial,
            Figures = DailyReportBuilder.Figures(distinct, new SourceDay(profiles, []), inputs.Vulnerabilities),
            PreviousFigures = DailyReportBuilder.Figures(previousDistinct, new SourceDay(MergeProfiles(previousDays), []), inputs.Vulnerabilities),
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
                .Take(PeriodReportBuilder.BusiestDayCount)
                .Select(d => new BusyDay(d.Day, d.Incidents, d.Hits, PeriodReportBuilder.DailyLink(options.PublicBaseUrl, d.Day)))
                .ToList(),
            Incidents = listed,
            IncidentsTotal = distinct.Count,
            IncidentsAreTopOnly = topOnly,
            FalsePositivesExcluded = inputs.Days.SelectMany(d => d.Rows).Where(DailyReportBuilder.IsFalsePositive).Select(r => r.IncidentId).Distinct(StringComparer.Ordinal).Count(),
            SourcesEnriched = profiles.Count > 0,
            Attributions = days.SelectMany(d => d.Sources.Attributions).Select(a => UntrustedText.Sanitize(a, 400)).Distinct(StringComparer.Ordinal).ToList(),
            // Every dated label of every day at once (the accumulator merges the days' datasets).
            Datasets = days.SelectMany(d => d.Sources.Profiles.Values).SelectMany(p => p.Provenance)
                .Where(p => p.DatasetDate is not null && !string.IsNullOrWhiteSpace(p.Source))
                .GroupBy(p => p.Source, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new LabelDataset(UntrustedText.Sanitize(g.Key, 80), g.Min(p => p.DatasetDate!.Value), g.Max(p => p.DatasetDate!.Value)))
                .ToList(),
        };
    }

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
            .Take(PeriodReportBuilder.MaxRecurringAttackers)
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
            .Take(PeriodReportBuilder.AttackTypeRows)
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
