using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Vocabulary;
using NodaTime;

namespace IncidentFunctions.Channels;

/// <summary>
/// The app-built sentences every chat renderer shows — figures with their change, statuses, gaps, the report footer,
/// alert titles — written with the shared vocabulary (<see cref="Numbers"/>, <see cref="Labels"/>,
/// <see cref="Durations"/>, <see cref="Dates"/>), so chat says what the PDF says in the same words. No untrusted text.
/// </summary>
internal static class MessageLines
{
    /// <summary>What the changes compare with: "the day before", "the week before", "the month before".</summary>
    public static string Before(DigestMessage m) => m.Kind switch
    {
        PeriodKind.Week => "the week before",
        PeriodKind.Month => "the month before",
        _ => "the day before",
    };

    /// <summary>The digest's period for a heading: "2026-11-19", "Week 2026-W48 (23–29 Nov 2026)", "November 2026".</summary>
    public static string PeriodName(DigestMessage m) => Dates.PeriodWithDays(m.Period);

    /// <summary>"42 incidents · +5 (+13.5%) vs. the day before".</summary>
    public static string Figure(long current, long previous, string one, string many, DigestMessage m)
        => $"{Numbers.Count(current, one, many)} · {Numbers.Change(current, previous)} vs. {Before(m)}";

    /// <summary>A figure without its noun, for a labelled field: "18,734 · −2,268 (−10.8%) vs. the day before".</summary>
    public static string FigureValue(long current, long previous, DigestMessage m)
        => $"{Numbers.Number(current)} · {Numbers.Change(current, previous)} vs. {Before(m)}";

    public static string Incidents(DigestMessage m) => Figure(m.Figures.Incidents, m.PreviousFigures.Incidents, "incident", "incidents", m);

    public static string Hits(DigestMessage m) => Figure(m.Figures.Hits, m.PreviousFigures.Hits, "hit", "hits", m);

    public static string SourceIps(DigestMessage m) => Figure(m.Figures.UniqueSourceIps, m.PreviousFigures.UniqueSourceIps, "unique source IP", "unique source IPs", m);

    /// <summary>"Blocked 30 · Partially blocked 4 · Monitoring 7", plus the unknown ones when there are any.</summary>
    public static string StatusLine(DigestFigures f)
    {
        var parts = new List<string>
        {
            $"{Labels.Status(IncidentStatus.Blocked)} {Numbers.Number(f.Blocked)}",
            $"{Labels.Status(IncidentStatus.PartiallyBlocked)} {Numbers.Number(f.PartiallyBlocked)}",
            $"{Labels.Status(IncidentStatus.Monitoring)} {Numbers.Number(f.Monitoring)}",
        };
        if (f.Unknown > 0) parts.Add($"{Labels.Status(IncidentStatus.Unknown)} {Numbers.Number(f.Unknown)}");
        return string.Join(" · ", parts);
    }

    /// <summary>The day's gaps, then how many records could not be read (either part only when there is one).</summary>
    public static string CoverageLine(CoverageGap gap)
    {
        var unreadable = gap.UnreadableRecords > 0 ? Labels.UnreadableRecords(gap.UnreadableRecords) : null;
        if (gap.MissingLocal.Count == 0) return unreadable ?? "";
        var line = $"Data gaps: {string.Join(", ", gap.MissingLocal.Take(6))}{(gap.MissingLocal.Count > 6 ? $" and {Numbers.Number(gap.MissingLocal.Count - 6)} more" : "")} ({Durations.Duration(gap.MissingDuration)}) were not pulled; the figures are a lower bound.";
        return unreadable is null ? line : line + " " + unreadable;
    }

    public static string PreviousCoverageLine(CoverageGap gap, DigestMessage m)
    {
        var before = Before(m);
        var unit = before["the ".Length..before.IndexOf(' ', "the ".Length)];
        return $"{char.ToUpperInvariant(before[0])}{before[1..]} lacks {Durations.Duration(gap.MissingDuration)} of data: changes compare with a partial {unit}.";
    }

    /// <summary>The trends of a week or month as app-built sentences (no untrusted text); empty for a day.</summary>
    public static IReadOnlyList<string> TrendLines(DigestMessage m)
    {
        if (m.Trends is not { } t) return [];
        var unit = m.Kind == PeriodKind.Week ? "week" : "month";
        var lines = new List<string>
        {
            $"Recurring attackers: {Numbers.Count(t.RecurringAttackers, "source IP", "source IPs")} seen on two or more days",
            $"Security issues exploited: {Numbers.Number(t.NewIssues)} new this {unit}, {Numbers.Number(t.StillExploitedIssues)} still exploited from before",
        };
        if (t.BusiestDay is { } busiest)
        {
            lines.Add($"Busiest day: {Dates.Day(busiest.Day)} ({busiest.Day.ToString("ddd", System.Globalization.CultureInfo.InvariantCulture)}), {Numbers.Count(busiest.Incidents, "incident", "incidents")}, {Numbers.Count(busiest.Hits, "hit", "hits")}");
        }

        if (SourcesLine(t.Sources, t.PreviousSources, m) is { } sources) lines.Add(sources);
        return lines;
    }

    /// <summary>"Tor 3.1% · Proxy / VPN 5% · Cloud 40% (+2 pp) · Malicious lists 12% of 1,234 enriched source IPs"; null before enrichment.</summary>
    private static string? SourcesLine(SourceMix? now, SourceMix? before, DigestMessage m)
    {
        if (now is not { Known: > 0 }) return null;
        string Part(string label, Func<SourceMix, int> part)
        {
            var share = (double)part(now) / now.Known;
            var change = before is { Known: > 0 } b ? $" ({Numbers.ChangePoints(share, (double)part(b) / b.Known)})" : "";
            return $"{label} {Numbers.Percent(share)}{change}";
        }

        return $"Sources: {Part("Tor", s => s.Tor)} · {Part("Proxy / VPN", s => s.Proxy)} · {Part("Cloud", s => s.Cloud)} · {Part("Malicious lists", s => s.Malicious)}"
               + $" of {Numbers.Count(now.Known, "enriched source IP", "enriched source IPs")}{(before is { Known: > 0 } ? $"; changes vs. {Before(m)}" : "")}";
    }

    /// <summary>The app-built part of a recurring source's line: "5 days · 4,120 hits".</summary>
    public static string RecurringFigures(RecurringSource r) => $"{Numbers.Count(r.Days, "day", "days")} · {Numbers.Count(r.Hits, "hit", "hits")}";

    /// <summary>The untrusted parts of a recurring source's line, in order: IP, country, source type.</summary>
    public static IEnumerable<(string Text, int Max)> RecurringParts(RecurringSource r)
    {
        if (ChatText.Ip(r.Ip) is { Length: > 0 } ip) yield return (ip, IncidentLines.IpChars);
        if (!string.IsNullOrWhiteSpace(r.Country)) yield return (r.Country, IncidentLines.CountryChars);
        if (!string.IsNullOrWhiteSpace(r.SourceType)) yield return (r.SourceType, IncidentLines.SourceTypeChars);
    }

    public const string TrendsHeading = "Trends";

    /// <summary>The link to the report archive page (every report within retention).</summary>
    public const string ArchiveLabel = "All reports";

    public const string RecurringHeading = "Recurring attackers (most days first)";

    public static string ReportFooter(DigestMessage m)
        => $"PDF SHA-256 {m.Report.Sha256} · {Numbers.Count(m.Report.Pages, "page", "pages")} · link valid until {Dates.DateTime(m.Report.ExpiresAt, Zone(m))} ({m.TimeZone})";

    public static string MoreInReport(long n) => $"{Numbers.Number(n)} more in the report";

    /// <summary>"New incident: Blocked" ("[TLP:AMBER] New incident: Blocked" with a marking).</summary>
    public static string AlertTitle(AlertMessage m, IncidentSummary incident) => ReportMarking.Prefixed(m.Marking, $"New incident: {Labels.Status(incident.Status)}");

    /// <summary>The notification text of a single alert: "New incident (Blocked · 4,683 hits)".</summary>
    public static string AlertFallback(AlertMessage m, IncidentSummary incident) => ReportMarking.Prefixed(m.Marking, $"New incident ({IncidentLines.Headline(incident)})");

    public static string FirstHit(IncidentSummary incident, ChatMessage m) => $"First hit {Dates.DateTime(incident.FirstSeen, Zone(m))} ({m.TimeZone})";

    /// <summary>"3 more new incidents from 2026-11-20 07:50 +01:00 to 08:00 (Europe/Berlin)".</summary>
    public static string RollupTitle(AlertMessage m)
    {
        var window = m.RollupInterval ?? throw new ArgumentException("Not a roll-up.", nameof(m));
        var zone = Zone(m);
        return ReportMarking.Prefixed(m.Marking, $"{Numbers.Count(m.Total, "more new incident", "more new incidents")} from {Dates.DateTime(window.From, zone)} to {Dates.Clock(window.To, zone)} ({m.TimeZone})");
    }

    public static string MoreInRollup(long n) => $"{Numbers.Number(n)} more: see the daily digest and report";

    private static DateTimeZone Zone(ChatMessage m) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(m.TimeZone) ?? DateTimeZone.Utc;
}
