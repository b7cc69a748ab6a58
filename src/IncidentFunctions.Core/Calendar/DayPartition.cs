using NodaTime;

namespace IncidentFunctions.Calendar;

/// <summary>
/// The partition-key convention every per-day table shares (incidents, coverage, sources, digest ledger):
/// <c>{tenant}-{yyyyMMdd}</c> of the report day. One day of one tenant is one partition, read in one query, and the
/// keys sort by day, so a range of days is one range filter.
/// </summary>
public static class DayPartition
{
    public static string Key(long tenantId, LocalDate day) => $"{tenantId}-{ReportCalendar.DayKey(day)}";

    /// <summary>The key for a day key already formatted as <c>yyyyMMdd</c>.</summary>
    public static string Key(long tenantId, string dayKey) => $"{tenantId}-{dayKey}";
}
