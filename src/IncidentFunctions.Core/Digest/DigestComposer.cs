using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Digest;

/// <summary>
/// Computes the <see cref="DigestMessage"/> of a report day from the <see cref="DailyReport"/> model its PDF shows
/// (<see cref="PublishedReport"/>): the same figures, coverage and enriched incident rows as the PDF it links to.
/// The digest only adds its own choice of incidents (most hits first) and the local-time form of the gaps. A week's or
/// month's digest is composed the same way from its <see cref="PeriodReport"/>, with the period's trends.
/// </summary>
public sealed class DigestComposer(ReportCalendar calendar, IOptions<DigestOptions> options)
{
    /// <summary>Recurring source IPs a week's or month's digest names (the PDF lists them all).</summary>
    internal const int TopRecurring = 3;

    /// <summary>The message of a published report, from the model its PDF shows.</summary>
    public DigestMessage Compose(PublishedReport published)
    {
        ArgumentNullException.ThrowIfNull(published);
        if (published.DayModel is { } day) return Compose(day, published.Link, calendar, options.Value);
        var period = published.PeriodModel ?? throw new ArgumentException("A published report carries the model of its day or period.", nameof(published));
        return Compose(period, published.Link, calendar, options.Value);
    }

    /// <summary>The message from an already-built report model (pure).</summary>
    public static DigestMessage Compose(DailyReport model, ReportLink report, ReportCalendar calendar, DigestOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var top = Top(model.Incidents, options);

        return new DigestMessage
        {
            TimeZone = model.TimeZone,
            GeneratedAt = model.GeneratedAt,
            Title = ReportMarking.Prefixed(model.Marking, UntrustedText.Sanitize(options.Title, 120)),
            Marking = model.Marking,
            Day = model.Day,
            Figures = Figures(model.Figures),
            PreviousFigures = Figures(model.PreviousFigures),
            TopIncidents = top,
            Coverage = Gap(model.Coverage, calendar, withUnreadable: true),
            PreviousCoverage = model.PreviousCoverage is { } previousCoverage ? Gap(previousCoverage, calendar, withUnreadable: false) : null,
            Report = report,
            SourcesEnriched = model.SourcesEnriched,
        };
    }

    /// <summary>The message of a week or month from its report model (pure): its figures against the period before, trends and top incidents.</summary>
    public static DigestMessage Compose(PeriodReport model, ReportLink report, ReportCalendar calendar, DigestOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(calendar);
        var reached = model.Days.Where(d => d.Coverage is not null).Select(d => d.Coverage!).ToList();
        var missing = reached.SelectMany(c => c.Missing.Select(w => (c.Day, Window: w))).ToList();
        var unreadable = reached.Sum(c => c.UnreadableRecords);
        var coverage = missing.Count == 0 && unreadable == 0
            ? null
            : new CoverageGap(
                missing.ConvertAll(m => m.Window),
                missing.ConvertAll(m => $"{Dates.Day(m.Day)} {Dates.Span(m.Window.From, m.Window.To, calendar.Zone, m.Day)}"),
                missing.Aggregate(TimeSpan.Zero, (sum, m) => sum + m.Window.Duration),
                unreadable);
        var busiest = model.BusiestDays.Count > 0 ? model.BusiestDays[0] : null;
        return new DigestMessage
        {
            TimeZone = model.TimeZone,
            GeneratedAt = model.GeneratedAt,
            Title = ReportMarking.Prefixed(model.Marking, UntrustedText.Sanitize(model.Period.Kind == PeriodKind.Week ? options.WeeklyTitle : options.MonthlyTitle, 120)),
            Marking = model.Marking,
            Day = model.Period.First,
            Kind = model.Period.Kind,
            Figures = Figures(model.Figures),
            PreviousFigures = Figures(model.PreviousFigures),
            TopIncidents = Top(model.Incidents, options),
            Coverage = coverage,
            Report = report,
            SourcesEnriched = model.SourcesEnriched,
            Trends = new PeriodTrends(
                model.RecurringAttackersTotal,
                model.RecurringAttackers.Take(TopRecurring)
                    .Select(r => new RecurringSource(r.Ip, r.Days.Count, r.Hits, r.Country, r.SourceType is { } type ? Labels.SourceType(type) : null))
                    .ToList(),
                model.NewIssuesTotal,
                model.IssuesTotal - model.NewIssuesTotal,
                busiest is null ? null : new PeriodDayFigures(busiest.Day, busiest.Incidents, busiest.Hits),
                Mix(model.Figures.Shares),
                Mix(model.PreviousFigures.Shares)),
        };
    }

    /// <summary>The incidents a digest names: most hits first.</summary>
    private static List<IncidentSummary> Top(IEnumerable<IncidentRow> incidents, DigestOptions options)
        => incidents
            .OrderByDescending(r => r.Hits).ThenByDescending(r => r.Threat ?? 0).ThenByDescending(r => r.LastSeen).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(options.TopIncidents)
            .Select(IncidentSummaries.From)
            .ToList();

    private static SourceMix? Mix(SourceShares? s) => s is null ? null : new SourceMix(s.Known, s.Tor, s.Proxy, s.Cloud, s.Malicious);

    private static DigestFigures Figures(KeyFigures f)
        => new(f.Incidents, f.Hits, f.UniqueSourceIps, f.Blocked, f.PartiallyBlocked, f.Monitoring, f.UnknownStatus);

    /// <summary>The day's gaps, and (for the day itself, not the one compared with) the records that could not be read.</summary>
    private static CoverageGap? Gap(DayCoverage coverage, ReportCalendar calendar, bool withUnreadable)
    {
        var unreadable = withUnreadable ? coverage.UnreadableRecords : 0;
        if (coverage.IsComplete && unreadable == 0) return null;
        // The PDF's words for the same gaps (Dates.Span), so both name the hours alike.
        var local = coverage.Missing.Select(w => Dates.Span(w.From, w.To, calendar.Zone, coverage.Day)).ToList();
        var missing = coverage.Missing.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Duration);
        return new CoverageGap(coverage.Missing, local, missing, unreadable);
    }
}
