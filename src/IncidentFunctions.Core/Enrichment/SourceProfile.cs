using System.Text.Json.Serialization;

namespace IncidentFunctions.Enrichment;

/// <summary>Source type as the Wallarm Console labels it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SourceType>))]
public enum SourceType
{
    /// <summary>Nothing marks it: residential or unknown.</summary>
    Unknown,
    Tor,
    PublicProxy,
    WebProxy,
    Vpn,
    CloudPlatform,
    Datacenter,

    /// <summary>Private, reserved or bogon address: never labelled malicious.</summary>
    Private,
}

/// <summary>
/// Which source and dataset version produced a field of a <see cref="SourceProfile"/>; <see cref="Method"/> says how
/// when the source alone does not (e.g. "ASN organisation name 'Hetzner Online GmbH'", "exit list 2026-11-20").
/// </summary>
public sealed record Provenance(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("version")] string? DatasetVersion,
    [property: JsonPropertyName("date")] DateTimeOffset? DatasetDate,
    [property: JsonPropertyName("method")] string? Method = null);

/// <summary>What enrichment knows about one attacker IP: the read model reports and alerts use.</summary>
public sealed record SourceProfile
{
    public required string Ip { get; init; }

    public string? CountryCode { get; init; }

    public string? CountryName { get; init; }

    public string? Region { get; init; }

    public string? City { get; init; }

    public long? Asn { get; init; }

    public string? AsOrganization { get; init; }

    public SourceType SourceType { get; init; }

    /// <summary>
    /// For <see cref="SourceType.CloudPlatform"/>: AWS, Azure, Google Cloud, Oracle, Cloudflare, DigitalOcean… Also kept
    /// when a stronger type (Tor, VPN) outranks the cloud whose published ranges hold the address.
    /// </summary>
    public string? CloudProvider { get; init; }

    /// <summary>Region or service as the provider's list names it.</summary>
    public string? CloudRegion { get; init; }

    /// <summary>Service as the provider's list names it (EC2, AzureFrontDoor.Frontend, Google Cloud, OCI…), when it does.</summary>
    public string? CloudService { get; init; }

    /// <summary>Names of the reputation lists that list the IP; empty when none does.</summary>
    /// <remarks>Never null: a stored profile that says <c>null</c> (another writer) reads as empty, so one row cannot break a report.</remarks>
    public IReadOnlyList<string> MaliciousLists { get; init => field = value ?? []; } = [];

    public bool IsMalicious => MaliciousLists.Count > 0;

    /// <remarks>Never null, as <see cref="MaliciousLists"/>.</remarks>
    public IReadOnlyList<Provenance> Provenance { get; init => field = value ?? []; } = [];

    public DateTimeOffset EnrichedAt { get; init; }

    /// <summary>Version of the intel snapshot the profile was computed from.</summary>
    public string? IntelVersion { get; init; }
}

/// <summary>The enriched sources of one report day, and the attribution lines the data licences require.</summary>
public sealed record SourceDay(IReadOnlyDictionary<string, SourceProfile> Profiles, IReadOnlyList<string> Attributions)
{
    public static SourceDay Empty { get; } = new(new Dictionary<string, SourceProfile>(), []);
}
