using IncidentFunctions.Incidents;
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
    /// <summary>"42 incidents · +5 (+13.5%) vs. the day before".</summary>
    public static string Figure(long current, long previous, string one, string many)
        => $"{Numbers.Count(current, one, many)} · {Numbers.Change(current, previous)} vs. the day before";

    /// <summary>A figure without its noun, for a labelled field: "18,734 · −2,268 (−10.8%) vs. the day before".</summary>
    public static string FigureValue(long current, long previous)
        => $"{Numbers.Number(current)} · {Numbers.Change(current, previous)} vs. the day before";

    public static string Incidents(DigestFigures now, DigestFigures before) => Figure(now.Incidents, before.Incidents, "incident", "incidents");

    public static string Hits(DigestFigures now, DigestFigures before) => Figure(now.Hits, before.Hits, "hit", "hits");

    public static string SourceIps(DigestFigures now, DigestFigures before) => Figure(now.UniqueSourceIps, before.UniqueSourceIps, "unique source IP", "unique source IPs");

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

    public static string PreviousCoverageLine(CoverageGap gap)
        => $"The day before lacks {Durations.Duration(gap.MissingDuration)} of data: changes compare with a partial day.";

    public static string ReportFooter(DigestMessage m)
        => $"PDF SHA-256 {m.Report.Sha256} · {Numbers.Count(m.Report.Pages, "page", "pages")} · link valid until {Dates.DateTime(m.Report.ExpiresAt, Zone(m))} ({m.TimeZone})";

    public static string MoreInReport(long n) => $"{Numbers.Number(n)} more in the report";

    /// <summary>"New incident: Blocked".</summary>
    public static string AlertTitle(IncidentSummary incident) => $"New incident: {Labels.Status(incident.Status)}";

    /// <summary>The notification text of a single alert: "New incident (Blocked · 4,683 hits)".</summary>
    public static string AlertFallback(IncidentSummary incident) => $"New incident ({IncidentLines.Headline(incident)})";

    public static string FirstHit(IncidentSummary incident, ChatMessage m) => $"First hit {Dates.DateTime(incident.FirstSeen, Zone(m))} ({m.TimeZone})";

    /// <summary>"3 more new incidents from 2026-11-20 07:50 +01:00 to 08:00 (Europe/Berlin)".</summary>
    public static string RollupTitle(AlertMessage m)
    {
        var window = m.RollupInterval ?? throw new ArgumentException("Not a roll-up.", nameof(m));
        var zone = Zone(m);
        return $"{Numbers.Count(m.Total, "more new incident", "more new incidents")} from {Dates.DateTime(window.From, zone)} to {Dates.Clock(window.To, zone)} ({m.TimeZone})";
    }

    public static string MoreInRollup(long n) => $"{Numbers.Number(n)} more: see the daily digest and report";

    private static DateTimeZone Zone(ChatMessage m) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(m.TimeZone) ?? DateTimeZone.Utc;
}
