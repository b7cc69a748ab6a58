using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>
/// Computes the <see cref="DigestMessage"/> of a report day from the day's <see cref="DailyReport"/> model: the same
/// read, false-positive rule, figures, coverage and enriched incident rows as the PDF it links to, so the two agree.
/// The digest only adds its own choice of incidents (most hits first) and the local-time form of the gaps.
/// </summary>
public sealed class DigestComposer(DailyReportBuilder reports, ReportCalendar calendar, IOptions<DigestOptions> options)
{
    public async Task<DigestMessage> BuildAsync(long tenantId, LocalDate day, ReportLink report, CancellationToken cancellationToken = default)
    {
        var model = await reports.BuildAsync(tenantId, day, cancellationToken).ConfigureAwait(false);
        return Compose(model, report, calendar, options.Value);
    }

    /// <summary>The message from an already-built report model (pure).</summary>
    public static DigestMessage Compose(DailyReport model, ReportLink report, ReportCalendar calendar, DigestOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var top = model.Incidents
            .OrderByDescending(r => r.Hits).ThenByDescending(r => r.Threat ?? 0).ThenByDescending(r => r.LastSeen).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Take(options.TopIncidents)
            .Select(IncidentSummaries.From)
            .ToList();

        return new DigestMessage
        {
            TimeZone = model.TimeZone,
            GeneratedAt = model.GeneratedAt,
            Title = UntrustedText.Sanitize(options.Title, 120),
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
