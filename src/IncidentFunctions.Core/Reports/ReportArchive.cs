using System.Collections.Concurrent;
using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>How much of a period was pulled.</summary>
public enum ArchiveCoverage
{
    /// <summary>Every hour of the period was pulled.</summary>
    Complete,

    /// <summary>Some hours are missing (an outage the pull could not make up, or pulls that never ran), or records of the period could not be read.</summary>
    Gaps,

    /// <summary>Nothing of the period was pulled.</summary>
    NotPulled,

    /// <summary>The period has not ended; pulled so far without gaps.</summary>
    InProgress,
}

/// <summary>A file of a period (the PDF report, the CSV export) behind a short-lived signed link.</summary>
/// <param name="Format">The link's visible text, e.g. <c>PDF</c>.</param>
/// <param name="What">What it opens, for the accessible name ("PDF report of …", "CSV export of …").</param>
/// <param name="Href">Root-relative signed link.</param>
public sealed record ArchiveFile(string Format, string What, string Href);

/// <summary>
/// One period's row: the key figures (an incident once, with its figures of the latest day it was active on), status
/// mix, coverage, the most-hit security issue (attacker text).
/// </summary>
public sealed record ArchiveEntry(
    PeriodKind Kind,
    LocalDate Start,
    LocalDate End,
    long Incidents,
    long Hits,
    IReadOnlyDictionary<IncidentStatus, long> Statuses,
    ArchiveCoverage Coverage,
    string? TopIssue,
    IReadOnlyList<ArchiveFile> Files);

/// <summary>One kind of period on the page (the month, the weeks starting in it, its days), newest first.</summary>
public sealed record ArchiveSection(PeriodKind Kind, IReadOnlyList<ArchiveEntry> Entries);

/// <summary>A month within retention, with the signed link to its page.</summary>
public sealed record ArchiveMonth(YearMonth Month, string Href);

/// <summary>What the archive page shows: one month of periods, the months to move to, and when its links expire.</summary>
public sealed record ArchivePageModel(
    string Title,
    string TimeZone,
    YearMonth Month,
    IReadOnlyList<ArchiveMonth> Months,
    IReadOnlyList<ArchiveSection> Sections,
    DateTimeOffset GeneratedAt,
    DateTimeOffset LinksExpireAt,
    string? Marking = null)
{
    /// <summary>The next month (newer), when within retention.</summary>
    public ArchiveMonth? Newer => Months.FirstOrDefault(m => m.Month == Month.PlusMonths(1));

    /// <summary>The previous month (older), when within retention.</summary>
    public ArchiveMonth? Older => Months.FirstOrDefault(m => m.Month == Month.PlusMonths(-1));
}

/// <summary>
/// Builds the report archive: the periods within <see cref="ReportOptions.RetentionDays"/>, one month per page (so
/// 90 days stay a light page: at most 31 rows, two partition queries each), newest first. Every link it renders is a
/// signed link valid for <see cref="LinkLifetime"/>, so the function key of the keyed route never ends up in a URL the
/// browser keeps (history, bookmarks, referrers), and a page left open stops working soon. Links are root-relative
/// (<c>/api/reports/shared/…</c>), built from the prefix the request came in under, so both hosts serve them.
/// </summary>
public sealed class ReportArchive(
    IncidentStore incidents,
    CoverageLog coverage,
    VulnerabilityCatalog vulnerabilities,
    ReportLinkSigner signer,
    ReportCalendar calendar,
    WallarmTenant tenant,
    WallarmClient wallarm,
    ReportPeriods periods,
    IOptions<ReportOptions> options,
    TimeProvider time)
{
    /// <summary>Lifetime of the links the page renders: short, the page is for looking now, not for sharing.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    /// <summary>The keyed route's path for a month (without prefix): what a shared archive link signs.</summary>
    public static string ResourcePath(YearMonth? month)
        => month is { } m ? $"{ReportArchiveEndpoint.Template}?{ReportArchiveEndpoint.MonthParameter}={MonthText(m)}" : ReportArchiveEndpoint.Template;

    public static string MonthText(YearMonth month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static bool TryParseMonth(string? text, out YearMonth month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-' || !text.Remove(4, 1).All(char.IsAsciiDigit)) return false;
        var year = int.Parse(text.AsSpan(0, 4), CultureInfo.InvariantCulture);
        var number = int.Parse(text.AsSpan(5, 2), CultureInfo.InvariantCulture);
        if (year < 2000 || number is < 1 or > 12) return false;
        month = new YearMonth(year, number);
        return true;
    }

    /// <summary>The months that hold a day within retention, newest first.</summary>
    public IReadOnlyList<YearMonth> Months()
    {
        var (oldest, today) = Range();
        var months = new List<YearMonth>();
        for (var m = today.ToYearMonth(); m >= oldest.ToYearMonth(); m = m.PlusMonths(-1)) months.Add(m);
        return months;
    }

    /// <summary>The month shown without a <c>month</c> parameter: the current one.</summary>
    public YearMonth DefaultMonth() => Range().Today.ToYearMonth();

    /// <summary>The signature query of the archive page of a month (or of the default month when null).</summary>
    public SignedQuery SignPage(YearMonth? month, TimeSpan validFor) => signer.Sign(ResourcePath(month), validFor);

    /// <summary>The archive's signed path and query relative to the API base, e.g. for a digest to carry.</summary>
    public (string PathAndQuery, DateTimeOffset ExpiresAt) SharedLink(TimeSpan validFor)
    {
        var signed = SignPage(null, validFor);
        return ($"{SharedReportArchiveEndpoint.Template}?{signed.Query}", signed.ExpiresAt);
    }

    /// <param name="month">A month of <see cref="Months"/>.</param>
    /// <param name="prefix">The route prefix the request came in under, e.g. <c>/api/</c>.</param>
    public async Task<ArchivePageModel> BuildAsync(YearMonth month, string prefix, CancellationToken cancellationToken = default)
    {
        var (oldest, today) = Range();
        var now = time.GetUtcNow();
        var o = options.Value;
        var lifetime = LinkLifetime < o.MaxSignedLinkLifetime ? LinkLifetime : o.MaxSignedLinkLifetime;
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var issues = await vulnerabilities.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false);

        var first = Max(month.OnDayOfMonth(1), oldest);
        var last = Min(month.OnDayOfMonth(month.Calendar.GetDaysInMonth(month.Year, month.Month)), today);
        var days = new List<LocalDate>();
        for (var day = last; day >= first; day = day.PlusDays(-1)) days.Add(day);

        // The month's report and the weeks starting in it (each week listed on one page), when their routes serve them.
        var monthPeriod = ReportPeriod.Month(month.Year, month.Month);
        var monthly = periods.IsAvailable(monthPeriod) ? new[] { monthPeriod } : [];
        var weekly = days.Where(d => d.DayOfWeek == IsoDayOfWeek.Monday).Select(ReportPeriod.WeekOf).Where(periods.IsAvailable).ToList();
        var toRead = days.Concat(weekly.SelectMany(w => w.Days)).Where(d => d >= oldest && d <= today).Distinct().ToList();

        var read = new ConcurrentDictionary<LocalDate, DayRows>();
        await Parallel.ForEachAsync(toRead, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (day, ct) =>
        {
            read[day] = await ReadDayAsync(tenantId, day, today, now, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        ArchiveEntry Entry(ReportPeriod period) => Summarise(period, [.. period.Days.Where(read.ContainsKey).Select(d => read[d])], issues, prefix, lifetime);
        var expires = now + lifetime;
        var months = Months().Select(m => new ArchiveMonth(m, Href(prefix, SharedReportArchiveEndpoint.Template, SignPage(m, lifetime), m))).ToList();
        ArchiveSection[] sections =
        [
            new(PeriodKind.Month, [.. monthly.Select(Entry)]),
            new(PeriodKind.Week, [.. weekly.Select(Entry)]),
            new(PeriodKind.Day, [.. days.Select(d => Entry(ReportPeriod.Day(d)))]),
        ];
        return new ArchivePageModel(o.Title, calendar.ZoneId, month, months, [.. sections.Where(s => s.Kind == PeriodKind.Day || s.Entries.Count > 0)], now, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()),
            ReportMarking.Of(o));
    }

    /// <summary>One stored day: each incident's figures on it, and how much of the day was pulled.</summary>
    private sealed record DayRows(LocalDate Day, Dictionary<string, (long Hits, IncidentStatus Status, long VulnerabilityId)> Incidents, ArchiveCoverage Coverage);

    private async Task<DayRows> ReadDayAsync(long tenantId, LocalDate day, LocalDate today, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, (long, IncidentStatus, long)>(StringComparer.Ordinal);
        await foreach (var row in incidents.GetDayAsync(tenantId, day, cancellationToken).ConfigureAwait(false))
        {
            rows[row.IncidentId] = (row.Hits, row.ReadStatus(), row.VulnerabilityId);
        }

        var dayCoverage = await coverage.GetDayAsync(tenantId, day, now, cancellationToken).ConfigureAwait(false);
        var state = dayCoverage.Covered.Count == 0 ? ArchiveCoverage.NotPulled
            : !dayCoverage.IsComplete || dayCoverage.UnreadableRecords > 0 ? ArchiveCoverage.Gaps
            : day == today ? ArchiveCoverage.InProgress
            : ArchiveCoverage.Complete;
        return new DayRows(day, rows, state);
    }

    /// <param name="days">The period's stored days up to today, oldest first.</param>
    private ArchiveEntry Summarise(ReportPeriod period, IReadOnlyList<DayRows> days, IReadOnlyDictionary<long, VulnerabilityEntity> issues, string prefix, TimeSpan lifetime)
    {
        // Rows carry running totals: an incident active on several days counts once, with its latest day's figures.
        var latest = new Dictionary<string, (long Hits, IncidentStatus Status, long VulnerabilityId)>(StringComparer.Ordinal);
        foreach (var day in days.OrderBy(d => d.Day))
        {
            foreach (var (id, figures) in day.Incidents) latest[id] = figures;
        }

        var statuses = new Dictionary<IncidentStatus, long>();
        var hitsByIssue = new Dictionary<long, long>();
        foreach (var (hits, status, issue) in latest.Values)
        {
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            hitsByIssue[issue] = hitsByIssue.GetValueOrDefault(issue) + hits;
        }

        string? topIssue = null;
        if (hitsByIssue.Count > 0)
        {
            var top = hitsByIssue.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First().Key;
            topIssue = issues.TryGetValue(top, out var v) && !string.IsNullOrWhiteSpace(v.Title) ? v.Title : Vocabulary.Labels.UnnamedIssue(top);
        }

        var complete = periods.IsComplete(period);
        var coverageState = days.Count == 0 || days.All(d => d.Coverage == ArchiveCoverage.NotPulled) ? ArchiveCoverage.NotPulled
            : days.Any(d => d.Coverage is ArchiveCoverage.Gaps or ArchiveCoverage.NotPulled) ? ArchiveCoverage.Gaps
            : complete ? ArchiveCoverage.Complete
            : ArchiveCoverage.InProgress;
        return new ArchiveEntry(period.Kind, period.First, period.Last, latest.Count, latest.Values.Sum(f => f.Hits), statuses, coverageState, topIssue, Files(period, prefix, lifetime));
    }

    /// <summary>The period's PDF and CSV behind signed links over the keyed routes' paths.</summary>
    private List<ArchiveFile> Files(ReportPeriod period, string prefix, TimeSpan lifetime)
    {
        var kind = ReportPeriods.Segment(period.Kind);
        var (pdfPath, sharedPdfPath) = period.Kind == PeriodKind.Day
            ? (DailyReportEndpoint.PathFor(period.Key), SharedDailyReportEndpoint.PathFor(period.Key))
            : (PeriodReportEndpoint.PathFor(kind, period.Key), SharedPeriodReportEndpoint.PathFor(kind, period.Key));
        return
        [
            new("PDF", "report", Href(prefix, sharedPdfPath, signer.Sign(pdfPath, lifetime), null)),
            new("CSV", "export", Href(prefix, SharedReportCsvEndpoint.PathFor(kind, period.Key), signer.Sign(ReportCsvEndpoint.PathFor(kind, period.Key), lifetime), null)),
        ];
    }

    private static string Href(string prefix, string path, SignedQuery signed, YearMonth? month)
        => month is { } m
            ? $"{prefix}{path}?{ReportArchiveEndpoint.MonthParameter}={MonthText(m)}&{signed.Query}"
            : $"{prefix}{path}?{signed.Query}";

    private (LocalDate Oldest, LocalDate Today) Range()
    {
        var today = calendar.DayOf(time.GetUtcNow());
        return (today.PlusDays(-options.Value.RetentionDays), today);
    }

    private static LocalDate Max(LocalDate a, LocalDate b) => a > b ? a : b;

    private static LocalDate Min(LocalDate a, LocalDate b) => a < b ? a : b;
}
