using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
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
    IOptions<EnrichmentOptions> enrichment,
    TimeProvider time)
{
    /// <summary>A month lists this many incidents (by hits); the full list is in the daily reports and the CSV.</summary>
    public const int MonthTopIncidents = 100;

    internal const int MaxRecurringAttackers = 40;
    internal const int BusiestDayCount = 5;
    internal const int AttackTypeRows = 8;

    /// <summary>
    /// Day partitions scanned at once. One: each page of rows the table client reads (its buffered response, parsed
    /// document and entities) lives only while that page is folded; with two to eight in flight the transient pages
    /// outlive young-generation collections and a month's build peaked 50-80 MB higher (319-352 MB against 272-280 MB
    /// in a fresh process), and against Azurite it was not faster (see the benchmarks README, issue 12).
    /// </summary>
    private const int ScanParallelism = 1;

    /// <summary>Point reads of a month's listed rows at once (small, latency-bound).</summary>
    private const int PointReadParallelism = 4;

    public async Task<PeriodReport> BuildAsync(long tenantId, ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = calendar.DayOf(now);
        var fold = new PeriodAccumulator(period);
        var catalog = vulnerabilities.GetAllAsync(tenantId, cancellationToken);
        // One queue for both periods' days, so the previous period does not double the partitions in flight.
        var work = period.Days.Select(d => (Day: d, Previous: false)).Concat(period.Previous().Days.Select(d => (Day: d, Previous: true))).ToList();
        var days = FoldDaysAsync(tenantId, work, today, now, period.Kind == PeriodKind.Month ? ReportColumns.MonthScan : ReportColumns.Listed, fold, cancellationToken);
        await Task.WhenAll(catalog, days).ConfigureAwait(false);
        var listed = await ReadListedAsync(tenantId, fold.RowsToRead(), cancellationToken).ConfigureAwait(false);
        return fold.ToReport(listed, tenantId, catalog.Result, now, !calendar.IsComplete(period, now), calendar, options.Value, wallarm.Value.ResolveConsoleAddress())
            with { StaleDataAfter = enrichment.Value.StaleAfter };
    }

    /// <summary>
    /// Reads the days (<see cref="ScanParallelism"/> at a time) and folds each as soon as it is read, so a day's rows
    /// are garbage once folded. The previous period's days are read with <see cref="ReportColumns.Figures"/> and
    /// without coverage (nothing shows it).
    /// </summary>
    private async Task FoldDaysAsync(long tenantId, List<(LocalDate Day, bool Previous)> days, LocalDate today, DateTimeOffset now, string[] select, PeriodAccumulator fold, CancellationToken cancellationToken)
        => await Parallel.ForEachAsync(days, new ParallelOptions { MaxDegreeOfParallelism = ScanParallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var (day, previous) = item;
            if (day > today)
            {
                if (previous) fold.AddPrevious(day, [], SourceDay.Empty);
                else fold.Add(day, [], SourceDay.Empty, null);
                return;
            }

            var rows = new List<IncidentEntity>();
            var daySources = sources.GetDayAsync(tenantId, day, ct);
            var dayCoverage = previous ? null : coverage.GetDayAsync(tenantId, day, now, ct);
            await foreach (var row in incidents.GetDayAsync(tenantId, day, previous ? ReportColumns.Figures : select, ct).ConfigureAwait(false)) rows.Add(row);
            if (previous) fold.AddPrevious(day, rows, await daySources.ConfigureAwait(false));
            else fold.Add(day, rows, await daySources.ConfigureAwait(false), await dayCoverage!.ConfigureAwait(false));
        }).ConfigureAwait(false);

    /// <summary>
    /// A month's listed rows, read again by their keys (a hundred point reads instead of holding 31,000 rows). A row
    /// gone since the fold (deleted by retention) is left out.
    /// </summary>
    private async Task<IReadOnlyList<IncidentEntity>> ReadListedAsync(long tenantId, IReadOnlyList<ListedIncidentKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0) return [];
        var rows = new IncidentEntity?[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = PointReadParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            rows[i] = await incidents.GetAsync(tenantId, keys[i].Day, keys[i].RowKey, ReportColumns.Listed, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return rows.OfType<IncidentEntity>().ToList();
    }

    /// <summary>
    /// The model from already-read inputs (pure: used by tests and benchmarks too): the held rows go through the same
    /// fold as <see cref="BuildAsync"/>'s, and a month's listed rows are taken from them instead of read again.
    /// </summary>
    public static PeriodReport Build(PeriodReportInputs inputs, ReportCalendar calendar, ReportOptions options, Uri? consoleBase)
    {
        var fold = new PeriodAccumulator(inputs.Period);
        foreach (var day in inputs.Days) fold.Add(day.Day, day.Rows, day.Sources, day.Coverage);
        foreach (var day in inputs.PreviousDays) fold.AddPrevious(day.Day, day.Rows, day.Sources);
        var keys = fold.RowsToRead();
        var wanted = new Dictionary<(LocalDate Day, string Id), int>();
        for (var i = 0; i < keys.Count; i++) wanted[(keys[i].Day, keys[i].IncidentId)] = i;
        var listed = new IncidentEntity?[keys.Count];
        foreach (var day in inputs.Days)
        {
            // The fold keeps a day's last row of an incident; so does this (a store has one).
            foreach (var row in day.Rows)
            {
                if (wanted.TryGetValue((day.Day, row.IncidentId), out var i) && !DailyReportBuilder.IsFalsePositive(row)) listed[i] = row;
            }
        }

        return fold.ToReport(listed.OfType<IncidentEntity>().ToList(), inputs.TenantId, inputs.Vulnerabilities, inputs.Now, inputs.Partial, calendar, options, consoleBase);
    }

    /// <summary>The configured title names the day; a period report says its own period unless the title was changed.</summary>
    internal static string TitleFor(string title, PeriodKind kind)
        => string.Equals(title, new ReportOptions().Title, StringComparison.Ordinal)
            ? kind == PeriodKind.Week ? "Weekly incident report" : "Monthly incident report"
            : title;

    internal static Uri? DailyLink(Uri? publicBase, LocalDate day)
        => publicBase is null ? null : new Uri(publicBase.AbsoluteUri.EndsWith('/') ? publicBase : new Uri(publicBase.AbsoluteUri + "/"), DailyReportEndpoint.PathFor(ReportCalendar.IsoDay(day)));
}
