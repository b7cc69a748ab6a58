using System.Globalization;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Vocabulary;

/// <summary>
/// The names a reader sees for statuses, source types and threat levels, in every output (PDF, chat, and whatever
/// comes next). One label per thing: an incident whose status is unknown reads "Unknown status" everywhere.
/// </summary>
public static class Labels
{
    /// <summary>A source that enrichment has not labelled yet (no profile for the IP).</summary>
    public const string NotEnriched = "Not enriched";

    /// <summary>An empty value in a table or chart.</summary>
    public const string None = "–";

    /// <summary>The Wallarm Console's status names, plus the one for an attack whose <c>block_status</c> was missing or new.</summary>
    public static string Status(IncidentStatus status) => status switch
    {
        IncidentStatus.Blocked => "Blocked",
        IncidentStatus.PartiallyBlocked => "Partially blocked",
        IncidentStatus.Monitoring => "Monitoring",
        _ => "Unknown status",
    };

    /// <summary>
    /// The line the day's report and digest show when Wallarm records of the day could not be read (set aside by
    /// ingestion, see <see cref="RecordQuarantine"/>): "3 records from Wallarm could not be read; they are not in these figures."
    /// </summary>
    public static string UnreadableRecords(long records) => records == 1
        ? "1 record from Wallarm could not be read; it is not in these figures."
        : $"{Numbers.Count(records, "record", "records")} from Wallarm could not be read; they are not in these figures.";

    /// <summary>The statuses in the order every output lists them.</summary>
    public static IReadOnlyList<IncidentStatus> StatusOrder { get; } =
        [IncidentStatus.Blocked, IncidentStatus.PartiallyBlocked, IncidentStatus.Monitoring, IncidentStatus.Unknown];

    /// <summary>
    /// Source types as the Wallarm Console names them. The generic webhook carries these same strings
    /// (docs/webhook-schema.md), so they are part of its contract: change them only with the schema.
    /// </summary>
    public static string SourceType(SourceType? type) => type switch
    {
        null => NotEnriched,
        Enrichment.SourceType.Unknown => "Residential / unknown",
        Enrichment.SourceType.Tor => "Tor",
        Enrichment.SourceType.PublicProxy => "Public proxy",
        Enrichment.SourceType.WebProxy => "Web proxy",
        Enrichment.SourceType.Vpn => "VPN",
        Enrichment.SourceType.CloudPlatform => "Cloud",
        Enrichment.SourceType.Datacenter => "Data center",
        Enrichment.SourceType.Private => "Private",
        _ => type.Value.ToString(),
    };

    /// <summary>A security issue whose title is not known (yet): <c>Security issue 4711</c>.</summary>
    public static string UnnamedIssue(long vulnerabilityId) => string.Create(CultureInfo.InvariantCulture, $"Security issue {vulnerabilityId}");

    /// <summary>A security issue's threat level with its score: "High (85)"; <see cref="None"/> when unknown.</summary>
    public static string Threat(long? threat) => threat switch
    {
        null => None,
        >= 80 => string.Create(CultureInfo.InvariantCulture, $"High ({threat})"),
        >= 40 => string.Create(CultureInfo.InvariantCulture, $"Medium ({threat})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"Low ({threat})"),
    };
}
