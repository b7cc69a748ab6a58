namespace IncidentFunctions.Reports;

/// <summary>How report days are cut. Bound from the <c>Reports</c> section.</summary>
public sealed class ReportOptions
{
    public const string SectionName = "Reports";

    /// <summary>IANA time zone id (for example <c>Europe/Berlin</c>) whose midnights separate report days.</summary>
    /// <remarks>Incidents are stored under report days, so changing the zone needs a re-pull of the days to report on.</remarks>
    public string TimeZone { get; set; } = "UTC";
}
