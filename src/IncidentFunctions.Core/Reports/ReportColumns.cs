using IncidentFunctions.Incidents;

namespace IncidentFunctions.Reports;

/// <summary>
/// The stored incident properties each report reads; Table storage returns only these. Left out everywhere: what only
/// the CSV or ingestion use (target, point, status codes, block status, read notes, pull time, the row's day and zone),
/// which a month would otherwise hold 31,000 times and a busy day 10,000 times.
/// </summary>
internal static class ReportColumns
{
    /// <summary>
    /// A comparison's day or period (the previous day, week or month): its key figures (statuses, hits, unique IPs),
    /// its security issues and the false-positive rule; the ids count an incident once across a period's days.
    /// </summary>
    public static readonly string[] Figures =
    [
        nameof(IncidentEntity.PartitionKey), nameof(IncidentEntity.RowKey), nameof(IncidentEntity.IncidentId), nameof(IncidentEntity.Hits),
        nameof(IncidentEntity.IpCount), nameof(IncidentEntity.TopIpsJson), nameof(IncidentEntity.Status), nameof(IncidentEntity.VulnerabilityId),
        nameof(IncidentEntity.State),
    ];

    /// <summary>
    /// A report's own rows: its figures, charts and tables and the incident rows it lists
    /// (<see cref="DailyReportBuilder.ToIncidentRow"/>).
    /// </summary>
    public static readonly string[] Listed =
    [
        .. Figures,
        nameof(IncidentEntity.FirstSeen), nameof(IncidentEntity.LastSeen), nameof(IncidentEntity.AttackType), nameof(IncidentEntity.Domain),
        nameof(IncidentEntity.Path), nameof(IncidentEntity.Method), nameof(IncidentEntity.Parameter), nameof(IncidentEntity.ApplicationId),
        nameof(IncidentEntity.PayloadCount), nameof(IncidentEntity.Threat), nameof(IncidentEntity.TopIp), nameof(IncidentEntity.TopIpCountry),
    ];

    /// <summary>
    /// What a month's days are scanned for: the fold's figures and tables. Its hundred listed rows are read again with
    /// <see cref="Listed"/>; a week lists every incident, so it scans with those.
    /// </summary>
    public static readonly string[] MonthScan =
    [
        .. Figures,
        nameof(IncidentEntity.LastSeen), nameof(IncidentEntity.AttackType), nameof(IncidentEntity.Domain), nameof(IncidentEntity.Path), nameof(IncidentEntity.Threat),
    ];
}
