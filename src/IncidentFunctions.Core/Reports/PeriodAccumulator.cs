using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Text;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>A stored row a month lists: read again (by its keys) once the fold has chosen it.</summary>
internal readonly record struct ListedIncidentKey(LocalDate Day, string IncidentId, string RowKey);

/// <summary>
/// Folds a period's stored days, one day at a time as they are read, into the few facts the
/// <see cref="PeriodReport"/> is computed from, so that no day's rows and no day's full source profiles outlive the
/// call that adds them (a month of 1,000 incidents a day held as rows was 250 MB; folded it is a few tens).
/// </summary>
/// <remarks>
/// Days may come in any order and from several readers at once: every "latest day wins" (an incident's figures, an
/// IP's profile) compares the days, and each period's fold takes one day at a time under its own lock. Each day may
/// be added once. The semantics are those of the report: an incident counts on each day it is stored (per-day
/// figures) and once in the period's figures, with its row of the latest day it was stored on (false positives
/// left out); an IP's profile is the one of the latest day that enriched it.
/// A week lists every incident, so its fold keeps each incident's latest row; a month lists only its top
/// <see cref="PeriodReportBuilder.MonthTopIncidents"/> by hits, whose rows are read again after the fold
/// (<see cref="RowsToRead"/>).
/// </remarks>
internal sealed class PeriodAccumulator(ReportPeriod period)
{
    private readonly ReportPeriod _period = period;
    private readonly DayFold _current = new(period, detail: true, keepRows: period.Kind != PeriodKind.Month);
    private readonly DayFold _previous = new(period.Previous(), detail: false, keepRows: false);

    /// <summary>Folds one day of the period. Thread-safe; <paramref name="rows"/> are not held after the call (a week's listed rows excepted).</summary>
    /// <param name="coverage">Null for a day not reached yet.</param>
    public void Add(LocalDate day, IReadOnlyList<IncidentEntity> rows, SourceDay sources, DayCoverage? coverage)
        => _current.Add(day, rows, sources, coverage);

    /// <summary>Folds one day of the previous period, for its key figures and its security issues only. Thread-safe.</summary>
    public void AddPrevious(LocalDate day, IReadOnlyList<IncidentEntity> rows, SourceDay sources)
        => _previous.Add(day, rows, sources, coverage: null);

    /// <summary>
    /// A month: the keys of the rows it lists (the top <see cref="PeriodReportBuilder.MonthTopIncidents"/> by hits,
    /// then latest hit, then id; each incident's row of its latest day), to be read and handed to
    /// <see cref="ToReport"/>. A week: none (its fold keeps the rows it lists).
    /// </summary>
    public IReadOnlyList<ListedIncidentKey> RowsToRead()
    {
        if (_period.Kind != PeriodKind.Month) return [];
        lock (_current.Gate)
        {
            return _current.Incidents.Values
                .OrderByDescending(s => s.Hits).ThenByDescending(s => s.LastSeen).ThenBy(s => s.Id, StringComparer.Ordinal)
                .Take(PeriodReportBuilder.MonthTopIncidents)
                .Select(s => new ListedIncidentKey(s.LatestDay, s.Id, s.RowKey))
                .ToList();
        }
    }

    /// <summary>The model. <paramref name="listedRows"/>: a month's rows read for <see cref="RowsToRead"/>, in that order (ignored for a week).</summary>
    public PeriodReport ToReport(
        IReadOnlyList<IncidentEntity> listedRows,
        long tenantId,
        IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities,
        DateTimeOffset now,
        bool partial,
        ReportCalendar calendar,
        ReportOptions options,
        Uri? consoleBase)
    {
        lock (_current.Gate)
        lock (_previous.Gate)
        {
            return Compute(listedRows, tenantId, vulnerabilities, now, partial, calendar, options, consoleBase);
        }
    }

    private PeriodReport Compute(
        IReadOnlyList<IncidentEntity> listedRows,
        long tenantId,
        IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities,
        DateTimeOffset now,
        bool partial,
        ReportCalendar calendar,
        ReportOptions options,
        Uri? consoleBase)
    {
        var fold = _current;
        // The order the incidents were first stored in (oldest day, then row order): ties in the tables keep it.
        var distinct = fold.Incidents.Values.OrderBy(s => s.FirstDay).ThenBy(s => s.FirstIndex).ToList();
        var previousIssues = _previous.Incidents.Values.Where(s => s.VulnerabilityId > 0).Select(s => s.VulnerabilityId).ToHashSet();

        var topOnly = _period.Kind == PeriodKind.Month && distinct.Count > PeriodReportBuilder.MonthTopIncidents;
        var mapped = _period.Kind == PeriodKind.Month ? listedRows : distinct.ConvertAll(s => s.Row!);
        var profiles = fold.ProfilesOf(mapped);
        var incidentRows = mapped.Select(r => DailyReportBuilder.ToIncidentRow(r, profiles, vulnerabilities, consoleBase, now, options.OngoingWindow));
        var listed = (_period.Kind == PeriodKind.Month
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

        var days = fold.Days.Values.OrderBy(d => d.Day).ToList();
        var perDay = days.ConvertAll(d => new PeriodDay(d.Day, d.Incidents, d.Hits, d.Blocked, d.PartiallyBlocked, d.Monitoring, d.Unknown, d.Coverage));
        var (recurring, recurringTotal) = fold.RecurringAttackers();
        var issueIds = distinct.Where(s => s.VulnerabilityId > 0).Select(s => s.VulnerabilityId).ToHashSet();

        return new PeriodReport
        {
            TenantId = tenantId,
            Period = _period,
            TimeZone = calendar.ZoneId,
            Window = calendar.WindowOf(_period),
            Title = UntrustedText.Sanitize(PeriodReportBuilder.TitleFor(options.Title, _period.Kind), DailyReportBuilder.MaxTitleChars),
            CompanyName = string.IsNullOrWhiteSpace(options.CompanyName) ? null : UntrustedText.Sanitize(options.CompanyName, DailyReportBuilder.MaxTitleChars),
            Marking = ReportMarking.Of(options),
            GeneratedAt = now,
            Partial = partial,
            Figures = fold.Figures(vulnerabilities),
            PreviousFigures = _previous.Figures(vulnerabilities),
            Days = perDay,
            ByAttackType = DailyReportBuilder.Count(distinct, s => fold.TypeNames[s.Type], 12),
            AttackTypes = fold.AttackTypes(days.ConvertAll(d => d.Day)),
            RecurringAttackers = recurring,
            RecurringAttackersTotal = recurringTotal,
            TopTargets = DailyReportBuilder.TopTargets(distinct.Select(s => (fold.Targets[s.Target].Domain, fold.Targets[s.Target].Path, s.Hits)), options.TopRows),
            Issues = fold.Issues(distinct, previousIssues, vulnerabilities, consoleBase),
            IssuesTotal = issueIds.Count,
            NewIssuesTotal = issueIds.Count(id => !previousIssues.Contains(id)),
            BusiestDays = perDay.Where(d => d.Incidents > 0).OrderByDescending(d => d.Incidents).ThenByDescending(d => d.Hits).ThenBy(d => d.Day)
                .Take(PeriodReportBuilder.BusiestDayCount)
                .Select(d => new BusyDay(d.Day, d.Incidents, d.Hits, PeriodReportBuilder.DailyLink(options.PublicBaseUrl, d.Day)))
                .ToList(),
            Incidents = listed,
            IncidentsTotal = distinct.Count,
            IncidentsAreTopOnly = topOnly,
            FalsePositivesExcluded = fold.FalsePositives.Count,
            SourcesEnriched = fold.ProfiledIps > 0,
            Attributions = days.SelectMany(d => d.Attributions).Select(a => UntrustedText.Sanitize(a, 400)).Distinct(StringComparer.Ordinal).ToList(),
            Datasets = LabelData.Merge(days.Select(d => d.Datasets)),
        };
    }

    /// <summary>An incident as the fold keeps it: the figures of its row of the latest day it was stored on.</summary>
    private sealed class IncidentState
    {
        public required int Serial { get; init; }

        public required string Id { get; init; }

        /// <summary>The day and position it was first stored at (oldest day first): the order ties keep.</summary>
        public LocalDate FirstDay { get; set; }

        public int FirstIndex { get; set; }

        public LocalDate LatestDay { get; set; }

        public string RowKey { get; set; } = "";

        public long Hits { get; set; }

        public long IpCount { get; set; }

        public IncidentStatus Status { get; set; }

        public long VulnerabilityId { get; set; }

        public long? Threat { get; set; }

        public DateTimeOffset LastSeen { get; set; }

        /// <summary>Index into <see cref="DayFold.TypeNames"/> (short attack type).</summary>
        public int Type { get; set; }

        /// <summary>Index into <see cref="DayFold.Targets"/> (domain and path).</summary>
        public int Target { get; set; }

        /// <summary>Its top IPs (indexes into the fold's IP table).</summary>
        public int[] Ips { get; set; } = [];

        /// <summary>A week's: the latest row itself, which the week lists.</summary>
        public IncidentEntity? Row { get; set; }
    }

    /// <summary>What the report uses of one source IP.</summary>
    private sealed class IpState(string ip)
    {
        public string Ip { get; } = ip;

        /// <summary>Its profile from the latest day that enriched it, cut to the fields the report shows.</summary>
        public SourceProfile? Profile { get; set; }

        public LocalDate ProfileDay { get; set; }

        /// <summary>Days of the period (bit = day index) a non-false-positive row named it among its top IPs.</summary>
        public ulong Days { get; set; }

        /// <summary>The country its first mention (oldest day, then row order) gave; for IPs enrichment does not know.</summary>
        public string? Country { get; set; }

        public LocalDate? CountryDay { get; set; }
    }

    private sealed class DayStats(LocalDate day, DayCoverage? coverage, IReadOnlyList<string> attributions, IReadOnlyList<LabelDataset> datasets)
    {
        public LocalDate Day { get; } = day;

        public DayCoverage? Coverage { get; } = coverage;

        public IReadOnlyList<string> Attributions { get; } = attributions;

        public IReadOnlyList<LabelDataset> Datasets { get; } = datasets;

        public int Incidents { get; set; }

        public long Hits { get; set; }

        public int Blocked { get; set; }

        public int PartiallyBlocked { get; set; }

        public int Monitoring { get; set; }

        public int Unknown { get; set; }
    }

    /// <summary>One period's fold. <c>detail</c> false: only what the key figures and the issue ids need (the previous period).</summary>
    private sealed class DayFold(ReportPeriod period, bool detail, bool keepRows)
    {
        private readonly ReportPeriod _period = period;
        private readonly bool _detail = detail;
        private readonly bool _keepRows = keepRows;
        private readonly Dictionary<string, int> _ipIndex = new(StringComparer.Ordinal);
        private readonly List<IpState> _ips = [];
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

        // detail only
        private readonly Dictionary<(int Ip, int Incident), long> _ipHits = [];
        private readonly Dictionary<(int Incident, int Column), (LocalDate Day, int Type)> _columnTypes = [];
        private readonly Dictionary<long, ulong> _issueDays = [];
        private readonly Dictionary<string, int> _typeByRaw = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _typeByName = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Domain, string Path), int> _targetIndex = [];
        private readonly List<string> _weeks = period.Days.Select(d => ReportPeriod.WeekOf(d).Key).Distinct(StringComparer.Ordinal).ToList();

        public Lock Gate { get; } = new();

        public Dictionary<string, IncidentState> Incidents { get; } = new(StringComparer.Ordinal);

        public HashSet<string> FalsePositives { get; } = new(StringComparer.Ordinal);

        public Dictionary<LocalDate, DayStats> Days { get; } = [];

        public List<string> TypeNames { get; } = [];

        public List<(string Domain, string Path)> Targets { get; } = [];

        /// <summary>IPs any day's sources had a profile for.</summary>
        public int ProfiledIps { get; private set; }

        public void Add(LocalDate day, IReadOnlyList<IncidentEntity> rows, SourceDay sources, DayCoverage? coverage)
        {
            var dayIndex = Period.DaysBetween(_period.First, day);
            if (day < _period.First || day > _period.Last) throw new ArgumentOutOfRangeException(nameof(day), day, $"Not a day of {_period.Key}.");
            lock (Gate)
            {
                // Added twice, every per-day figure would count the day twice.
                if (Days.ContainsKey(day)) throw new InvalidOperationException($"{ReportCalendar.IsoDay(day)} was folded already.");
                var stats = new DayStats(day, coverage, sources.Attributions, LabelData.Of(sources.Profiles.Values));
                Days.Add(day, stats);
                foreach (var (ip, profile) in sources.Profiles)
                {
                    var state = _ips[IpIndex(ip)];
                    if (state.Profile is null) ProfiledIps++;
                    else if (day < state.ProfileDay) continue;
                    state.Profile = Trim(profile);
                    state.ProfileDay = day;
                }

                var bit = 1UL << dayIndex;
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    if (DailyReportBuilder.IsFalsePositive(row))
                    {
                        FalsePositives.Add(row.IncidentId);
                        continue;
                    }

                    AddRow(day, i, row, stats, bit);
                }
            }
        }

        private void AddRow(LocalDate day, int index, IncidentEntity row, DayStats stats, ulong bit)
        {
            var tops = row.ReadTopIps();
            var ips = new int[tops.Count];
            for (var k = 0; k < tops.Count; k++) ips[k] = IpIndex(tops[k].Ip);
            var status = row.ReadStatus();

            if (!Incidents.TryGetValue(row.IncidentId, out var incident))
            {
                incident = new IncidentState { Serial = Incidents.Count, Id = row.IncidentId, FirstDay = day, FirstIndex = index, LatestDay = day };
                Incidents.Add(incident.Id, incident);
                Update(incident, day, row, ips, status);
            }
            else
            {
                if (day < incident.FirstDay) (incident.FirstDay, incident.FirstIndex) = (day, index);
                // The latest day's row has the incident's most complete figures (hits and IPs are running totals).
                if (day >= incident.LatestDay) Update(incident, day, row, ips, status);
            }

            if (!_detail) return;
            stats.Incidents++;
            stats.Hits += row.Hits;
            switch (status)
            {
                case IncidentStatus.Blocked: stats.Blocked++; break;
                case IncidentStatus.PartiallyBlocked: stats.PartiallyBlocked++; break;
                case IncidentStatus.Monitoring: stats.Monitoring++; break;
                default: stats.Unknown++; break;
            }

            for (var k = 0; k < tops.Count; k++)
            {
                var ip = _ips[ips[k]];
                ip.Days |= bit;
                if (ip.CountryDay is not { } seen || day < seen) (ip.Country, ip.CountryDay) = (Intern(tops[k].Country), day);
                // An incident across midnight is stored on both days with its running total: count its hits once.
                ref var hits = ref CollectionsMarshal.GetValueRefOrAddDefault(_ipHits, (ips[k], incident.Serial), out _);
                hits = Math.Max(hits, tops[k].Hits);
            }

            var type = TypeOf(row.AttackType);
            ref var column = ref CollectionsMarshal.GetValueRefOrAddDefault(_columnTypes, (incident.Serial, ColumnOf(day)), out var exists);
            if (!exists || day >= column.Day) column = (day, type);
            if (row.VulnerabilityId > 0)
            {
                ref var days = ref CollectionsMarshal.GetValueRefOrAddDefault(_issueDays, row.VulnerabilityId, out _);
                days |= bit;
            }
        }

        private void Update(IncidentState incident, LocalDate day, IncidentEntity row, int[] ips, IncidentStatus status)
        {
            incident.LatestDay = day;
            incident.Hits = row.Hits;
            incident.IpCount = row.IpCount;
            incident.Status = status;
            incident.VulnerabilityId = row.VulnerabilityId;
            incident.Ips = ips;
            if (!_detail) return;
            // Most ids need no escaping: share the id's string instead of holding a second copy per incident.
            incident.RowKey = string.Equals(row.RowKey, incident.Id, StringComparison.Ordinal) ? incident.Id : row.RowKey;
            incident.Threat = row.Threat;
            incident.LastSeen = row.LastSeen;
            incident.Type = TypeOf(row.AttackType);
            incident.Target = TargetOf(row.Domain ?? "", row.Path ?? "");
            if (_keepRows) incident.Row = row;
        }

        private int IpIndex(string ip)
        {
            ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_ipIndex, ip, out var exists);
            if (!exists)
            {
                index = _ips.Count;
                _ips.Add(new IpState(ip));
            }

            return index;
        }

        private int TypeOf(string? raw)
        {
            if (raw is not null && _typeByRaw.TryGetValue(raw, out var known)) return known;
            var name = DailyReportBuilder.Short(raw, "unknown");
            if (!_typeByName.TryGetValue(name, out var index))
            {
                index = TypeNames.Count;
                TypeNames.Add(name);
                _typeByName.Add(name, index);
            }

            if (raw is not null) _typeByRaw[raw] = index;
            return index;
        }

        private int TargetOf(string domain, string path)
        {
            ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_targetIndex, (domain, path), out var exists);
            if (!exists)
            {
                index = Targets.Count;
                Targets.Add((domain, path));
            }

            return index;
        }

        /// <summary>A week: the day's column; a month: its ISO week's.</summary>
        private int ColumnOf(LocalDate day)
            => _period.Kind == PeriodKind.Week ? Period.DaysBetween(_period.First, day) : _weeks.IndexOf(ReportPeriod.WeekOf(day).Key);

        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
        private string? Intern(string? value)
        {
            if (value is null) return null;
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_strings, value, out var exists);
            if (!exists) known = value;
            return known!;
        }

        /// <summary>The fields the report shows of a profile (not its provenance, region or city); the previous period needs only its type and lists.</summary>
        private SourceProfile Trim(SourceProfile profile)
        {
            var lists = profile.MaliciousLists.Count <= 5 ? profile.MaliciousLists.Select(Intern).ToList() : profile.MaliciousLists.Take(5).Select(Intern).ToList();
            return _detail
                ? new SourceProfile
                {
                    Ip = profile.Ip,
                    CountryCode = Intern(profile.CountryCode),
                    CountryName = Intern(profile.CountryName),
                    Asn = profile.Asn,
                    AsOrganization = Intern(profile.AsOrganization),
                    SourceType = profile.SourceType,
                    CloudProvider = Intern(profile.CloudProvider),
                    MaliciousLists = lists!,
                }
                : new SourceProfile { Ip = profile.Ip, SourceType = profile.SourceType, MaliciousLists = lists.Count == 0 ? [] : [lists[0]!] };
        }

        /// <summary>The profiles of the listed rows' top IPs, for <see cref="DailyReportBuilder.ToIncidentRow"/>.</summary>
        public Dictionary<string, SourceProfile> ProfilesOf(IEnumerable<IncidentEntity> rows)
        {
            var profiles = new Dictionary<string, SourceProfile>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                if (row.TopIp is { } ip && _ipIndex.TryGetValue(ip, out var index) && _ips[index].Profile is { } profile) profiles[ip] = profile;
            }

            return profiles;
        }

        /// <summary>As <see cref="DailyReportBuilder.Figures"/> over the distinct incidents and the merged profiles.</summary>
        public KeyFigures Figures(IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities)
        {
            if (Incidents.Count == 0) return KeyFigures.Empty with { Shares = ProfiledIps == 0 ? null : new SourceShares(0, 0, 0, 0, 0) };
            var ips = new HashSet<int>();
            var lowerBound = false;
            long hits = 0;
            int blocked = 0, partial = 0, monitoring = 0, unknown = 0;
            var byIssue = new Dictionary<long, int>();
            foreach (var incident in Incidents.Values)
            {
                hits += incident.Hits;
                foreach (var ip in incident.Ips) ips.Add(ip);
                if (incident.IpCount > incident.Ips.Length) lowerBound = true;
                switch (incident.Status)
                {
                    case IncidentStatus.Blocked: blocked++; break;
                    case IncidentStatus.PartiallyBlocked: partial++; break;
                    case IncidentStatus.Monitoring: monitoring++; break;
                    default: unknown++; break;
                }

                if (incident.VulnerabilityId > 0) CollectionsMarshal.GetValueRefOrAddDefault(byIssue, incident.VulnerabilityId, out _)++;
            }

            IssueCount? mostExploited = null;
            if (byIssue.Count > 0)
            {
                var most = byIssue.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First();
                mostExploited = new IssueCount(most.Key, DailyReportBuilder.IssueTitle(most.Key, vulnerabilities), most.Value);
            }

            SourceShares? shares = null;
            if (ProfiledIps > 0)
            {
                shares = SourceShares.Of(ips.Select(i => _ips[i].Profile).OfType<SourceProfile>());
            }

            return new KeyFigures(Incidents.Count, hits, ips.Count, lowerBound, blocked, partial, monitoring, unknown, mostExploited, shares);
        }

        /// <summary>IPs named on two or more days, most days first (at most <see cref="PeriodReportBuilder.MaxRecurringAttackers"/>), and how many there are.</summary>
        public (List<RecurringAttacker> Top, int Total) RecurringAttackers()
        {
            var recurring = new Dictionary<int, (long Hits, int Incidents)>();
            for (var i = 0; i < _ips.Count; i++)
            {
                if (BitOperations.PopCount(_ips[i].Days) >= 2) recurring[i] = (0, 0);
            }

            foreach (var ((ip, _), hits) in _ipHits)
            {
                ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(recurring, ip);
                if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry)) entry = (entry.Hits + hits, entry.Incidents + 1);
            }

            // Most days, then most hits, then the IP in ordinal order.
            var order = Comparer<KeyValuePair<int, (long Hits, int Incidents)>>.Create((x, y) =>
            {
                var c = BitOperations.PopCount(_ips[y.Key].Days).CompareTo(BitOperations.PopCount(_ips[x.Key].Days));
                if (c == 0) c = y.Value.Hits.CompareTo(x.Value.Hits);
                return c != 0 ? c : string.CompareOrdinal(_ips[x.Key].Ip, _ips[y.Key].Ip);
            });
            var top = Ranking.Top(recurring, PeriodReportBuilder.MaxRecurringAttackers, order)
                .Select(kv =>
                {
                    var state = _ips[kv.Key];
                    var profile = state.Profile;
                    var country = profile?.CountryName ?? profile?.CountryCode ?? state.Country;
                    return new RecurringAttacker(
                        UntrustedText.Inert(state.Ip, 64),
                        DaysOf(state.Days),
                        kv.Value.Hits,
                        kv.Value.Incidents,
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

        /// <summary>A week: incidents per attack type per day; a month: per ISO week (an incident counted once per column it was active in, with its type there).</summary>
        public AttackTypeGrid AttackTypes(List<LocalDate> days)
        {
            var columns = days.Select(ColumnOf).Distinct().ToList();
            var labels = _period.Kind == PeriodKind.Week
                ? days.ConvertAll(d => d.ToString("ddd d", CultureInfo.InvariantCulture))
                : columns.ConvertAll(c => _weeks[c][5..]);
            var perColumn = new Dictionary<(int Column, int Type), int>();
            foreach (var ((_, column), (_, type)) in _columnTypes) CollectionsMarshal.GetValueRefOrAddDefault(perColumn, (column, type), out _)++;
            var totals = Incidents.Values.GroupBy(s => s.Type)
                .Select(g => (Type: g.Key, Count: g.Count()))
                .OrderByDescending(g => g.Count).ThenBy(g => TypeNames[g.Type], StringComparer.Ordinal)
                .Take(PeriodReportBuilder.AttackTypeRows)
                .ToList();
            return new AttackTypeGrid(
                labels,
                totals.ConvertAll(t => new AttackTypeRow(TypeNames[t.Type], columns.ConvertAll(c => perColumn.GetValueOrDefault((c, t.Type))), t.Count)));
        }

        public List<PeriodIssueRow> Issues(List<IncidentState> distinct, HashSet<long> previousIssues, IReadOnlyDictionary<long, VulnerabilityEntity> vulnerabilities, Uri? consoleBase)
            => distinct.Where(s => s.VulnerabilityId > 0).GroupBy(s => s.VulnerabilityId)
                .Select(g =>
                {
                    var v = vulnerabilities.GetValueOrDefault(g.Key);
                    var issue = new IssueRow(
                        g.Key,
                        DailyReportBuilder.IssueTitle(g.Key, vulnerabilities),
                        v?.Type is { } type ? UntrustedText.Inert(type, DailyReportBuilder.MaxShortChars) : null,
                        v?.Threat ?? g.Max(s => s.Threat),
                        v?.Status is { } status ? UntrustedText.Inert(status, DailyReportBuilder.MaxShortChars) : null,
                        g.Count(),
                        DailyReportBuilder.ConsoleLinkFor(consoleBase, g.Key));
                    return new PeriodIssueRow(issue, !previousIssues.Contains(g.Key), DaysOf(_issueDays[g.Key]));
                })
                .OrderByDescending(i => i.Issue.Incidents).ThenByDescending(i => i.Issue.Threat ?? 0).ThenBy(i => i.Issue.VulnerabilityId)
                .Take(100)
                .ToList();

        private List<LocalDate> DaysOf(ulong mask)
        {
            var days = new List<LocalDate>(BitOperations.PopCount(mask));
            for (var i = 0; mask != 0; i++, mask >>= 1)
            {
                if ((mask & 1) != 0) days.Add(_period.First.PlusDays(i));
            }

            return days;
        }
    }
}
