using System.Collections.Concurrent;
using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>Kinds of report period the archive lists. Weekly and monthly reports add members and sections here.</summary>
public enum ReportPeriodKind
{
    Daily,
}

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

/// <summary>A file of a period (the PDF today; CSV once it exists) behind a short-lived signed link.</summary>
/// <param name="Format">What the link opens, e.g. <c>PDF</c>.</param>
/// <param name="Href">Root-relative signed link.</param>
public sealed record ArchiveFile(string Format, string Href);

/// <summary>One period's row: the key figures, status mix, coverage, the day's most-hit security issue (attacker text).</summary>
public sealed record ArchiveEntry(
    ReportPeriodKind Kind,
    LocalDate Start,
    LocalDate End,
    long Incidents,
    long Hits,
    IReadOnlyDictionary<IncidentStatus, long> Statuses,
    ArchiveCoverage Coverage,
    string? TopIssue,
    IReadOnlyList<ArchiveFile> Files);

/// <summary>One kind of period on the page (daily today), newest first.</summary>
public sealed record ArchiveSection(ReportPeriodKind Kind, IReadOnlyList<ArchiveEntry> Entries);

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
    DateTimeOffset LinksExpireAt)
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

        var entries = new ConcurrentDictionary<LocalDate, ArchiveEntry>();
        await Parallel.ForEachAsync(days, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (day, ct) =>
        {
            entries[day] = await DayAsync(tenantId, day, today, now, issues, prefix, lifetime, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var expires = now + lifetime;
        var months = Months().Select(m => new ArchiveMonth(m, Href(prefix, SharedReportArchiveEndpoint.Template, SignPage(m, lifetime), m))).ToList();
        var daily = new ArchiveSection(ReportPeriodKind.Daily, [.. days.Select(d => entries[d])]);
        return new ArchivePageModel(o.Title, calendar.ZoneId, month, months, [daily], now, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    private async Task<ArchiveEntry> DayAsync(long tenantId, LocalDate day, LocalDate today, DateTimeOffset now, IReadOnlyDictionary<long, VulnerabilityEntity> issues, string prefix, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        long count = 0, hits = 0;
        var statuses = new Dictionary<IncidentStatus, long>();
        var hitsByIssue = new Dictionary<long, long>();
        await foreach (var row in incidents.GetDayAsync(tenantId, day, cancellationToken).ConfigureAwait(false))
        {
            count++;
            hits += row.Hits;
            var status = row.ReadStatus();
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            hitsByIssue[row.VulnerabilityId] = hitsByIssue.GetValueOrDefault(row.VulnerabilityId) + row.Hits;
        }

        var dayCoverage = await coverage.GetDayAsync(tenantId, day, now, cancellationToken).ConfigureAwait(false);
        var state = dayCoverage.Covered.Count == 0 ? ArchiveCoverage.NotPulled
            : !dayCoverage.IsComplete || dayCoverage.UnreadableRecords > 0 ? ArchiveCoverage.Gaps
            : day == today ? ArchiveCoverage.InProgress
            : ArchiveCoverage.Complete;

        string? topIssue = null;
        if (hitsByIssue.Count > 0)
        {
            var top = hitsByIssue.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First().Key;
            topIssue = issues.TryGetValue(top, out var v) && !string.IsNullOrWhiteSpace(v.Title) ? v.Title : Vocabulary.Labels.UnnamedIssue(top);
        }

        var iso = ReportCalendar.IsoDay(day);
        var pdf = signer.Sign(DailyReportEndpoint.PathFor(iso), lifetime);
        var files = new List<ArchiveFile> { new("PDF", Href(prefix, SharedDailyReportEndpoint.PathFor(iso), pdf, null)) };
        return new ArchiveEntry(ReportPeriodKind.Daily, day, day, count, hits, statuses, state, topIssue, files);
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
