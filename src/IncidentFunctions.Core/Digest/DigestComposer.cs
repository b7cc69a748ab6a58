using System.Globalization;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Text;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>What a digest is computed from; read from storage by <see cref="DigestComposer.BuildAsync"/>.</summary>
public sealed record DigestInputs(
    LocalDate Day,
    IReadOnlyList<IncidentEntity> Rows,
    IReadOnlyList<IncidentEntity> PreviousRows,
    DayCoverage Coverage,
    SourceDay Sources,
    IReadOnlyDictionary<long, VulnerabilityEntity> Vulnerabilities,
    DateTimeOffset Now,
    DayCoverage? PreviousCoverage = null);

/// <summary>
/// Computes the <see cref="DigestMessage"/> of a report day from the same rows and rules as the PDF (false positives
/// left out; unique IPs from each incident's top IPs; enrichment joined on the top IP), so the digest and the report
/// it links to agree.
/// </summary>
public sealed class DigestComposer(
    IncidentStore incidents,
    CoverageLog coverage,
    SourceProfileStore sources,
    VulnerabilityCatalog vulnerabilities,
    ReportCalendar calendar,
    IOptions<DigestOptions> options,
    IOptions<WallarmOptions> wallarm,
    TimeProvider time)
{
    private const string FalsePositive = "falsepositive";

    public async Task<DigestMessage> BuildAsync(long tenantId, LocalDate day, ReportLink report, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var rows = ReadAsync(incidents.GetDayAsync(tenantId, day, cancellationToken));
        var previous = ReadAsync(incidents.GetDayAsync(tenantId, day.PlusDays(-1), cancellationToken));
        var coverageTask = coverage.GetDayAsync(tenantId, day, now, cancellationToken);
        // Changes compare with the day before; when that day is partly pulled the message says so.
        var previousCoverageTask = coverage.GetDayAsync(tenantId, day.PlusDays(-1), now, cancellationToken);
        var sourcesTask = sources.GetDayAsync(tenantId, day, cancellationToken);
        var issuesTask = vulnerabilities.GetAllAsync(tenantId, cancellationToken);
        await Task.WhenAll(rows, previous, coverageTask, previousCoverageTask, sourcesTask, issuesTask).ConfigureAwait(false);
        var inputs = new DigestInputs(day, rows.Result, previous.Result, coverageTask.Result, sourcesTask.Result, issuesTask.Result, now, previousCoverageTask.Result);
        return Compose(inputs, report, calendar, options.Value, wallarm.Value.ResolveConsoleAddress());
    }

    /// <summary>The message from already-read inputs (pure).</summary>
    public static DigestMessage Compose(DigestInputs inputs, ReportLink report, ReportCalendar calendar, DigestOptions options, Uri? consoleBase)
    {
        var rows = inputs.Rows.Where(r => !IsFalsePositive(r)).ToList();
        var previous = inputs.PreviousRows.Where(r => !IsFalsePositive(r)).ToList();
        var profiles = inputs.Sources.Profiles;
        var top = rows
            .OrderByDescending(r => r.Hits).ThenByDescending(r => r.Threat ?? 0).ThenByDescending(r => r.LastSeen).ThenBy(r => r.IncidentId, StringComparer.Ordinal)
            .Take(options.TopIncidents)
            .Select(r => IncidentSummaries.From(r, r.TopIp is { } ip ? profiles.GetValueOrDefault(ip) : null, inputs.Vulnerabilities.GetValueOrDefault(r.VulnerabilityId), consoleBase))
            .ToList();

        return new DigestMessage
        {
            TimeZone = calendar.ZoneId,
            GeneratedAt = inputs.Now,
            Title = UntrustedText.Sanitize(options.Title, 120),
            Day = inputs.Day,
            Figures = Figures(rows),
            PreviousFigures = Figures(previous),
            TopIncidents = top,
            Coverage = Gap(inputs.Coverage, calendar),
            PreviousCoverage = inputs.PreviousCoverage is { } previousCoverage ? Gap(previousCoverage, calendar) : null,
            Report = report,
            SourcesEnriched = profiles.Count > 0,
        };
    }

    internal static DigestFigures Figures(IReadOnlyCollection<IncidentEntity> rows)
    {
        var ips = new HashSet<string>(StringComparer.Ordinal);
        int blocked = 0, partial = 0, monitoring = 0, unknown = 0;
        foreach (var row in rows)
        {
            foreach (var ip in row.ReadTopIps()) ips.Add(ip.Ip);
            switch (row.ReadStatus())
            {
                case IncidentStatus.Blocked: blocked++; break;
                case IncidentStatus.PartiallyBlocked: partial++; break;
                case IncidentStatus.Monitoring: monitoring++; break;
                default: unknown++; break;
            }
        }

        return new DigestFigures(rows.Count, rows.Sum(r => r.Hits), ips.Count, blocked, partial, monitoring, unknown);
    }

    internal static CoverageGap? Gap(DayCoverage coverage, ReportCalendar calendar)
    {
        if (coverage.IsComplete) return null;
        var local = coverage.Missing.Select(w => $"{Clock(w.From, coverage.DayWindow, calendar)}–{Clock(w.To, coverage.DayWindow, calendar)}").ToList();
        var missing = coverage.Missing.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Duration);
        return new CoverageGap(coverage.Missing, local, missing);
    }

    /// <summary>Local clock time within the day; the day's end reads 24:00.</summary>
    private static string Clock(DateTimeOffset instant, TimeWindow day, ReportCalendar calendar)
        => instant >= day.To ? "24:00" : Instant.FromDateTimeOffset(instant).InZone(calendar.Zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    private static bool IsFalsePositive(IncidentEntity row) => string.Equals(row.State?.Trim(), FalsePositive, StringComparison.OrdinalIgnoreCase);

    private static async Task<IReadOnlyList<IncidentEntity>> ReadAsync(IAsyncEnumerable<IncidentEntity> source)
    {
        var list = new List<IncidentEntity>();
        await foreach (var row in source.ConfigureAwait(false)) list.Add(row);
        return list;
    }
}
