namespace IncidentFunctions.Calendar;

/// <summary>
/// The time zone report days are cut in. Bound from the <c>Reports</c> section (<c>Reports:TimeZone</c>), where users
/// set it; ingestion, enrichment, reports and digests all file and read by these days.
/// </summary>
public sealed class CalendarOptions
{
    public const string SectionName = "Reports";

    /// <summary>IANA time zone id (for example <c>Europe/Berlin</c>) whose midnights separate report days.</summary>
    /// <remarks>Incidents are stored under report days, so changing the zone needs a re-pull of the days to report on.</remarks>
    public string TimeZone { get; set; } = "UTC";
}
