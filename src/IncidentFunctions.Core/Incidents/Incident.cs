namespace IncidentFunctions.Incidents;

/// <summary>Console status of an incident, from the attack's <c>block_status</c>.</summary>
public enum IncidentStatus
{
    Unknown,
    Monitoring,
    PartiallyBlocked,
    Blocked,
}

/// <summary>A source IP among an incident's most active ones.</summary>
public sealed record IncidentSourceIp(string Ip, long Hits, string? Country);

/// <summary>An attack that exploited a known vulnerability, normalised from the Wallarm attack object.</summary>
public sealed record Incident
{
    public required long TenantId { get; init; }

    /// <summary>Wallarm's <c>attackid</c>, <c>"index:docid"</c>: stable across pulls.</summary>
    public required string Id { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastSeen { get; init; }

    public required string AttackType { get; init; }

    public string? Domain { get; init; }

    public string? Path { get; init; }

    public string? Method { get; init; }

    public string? Parameter { get; init; }

    public string? Point { get; init; }

    /// <summary>Wallarm application id; null when the attack has none (<c>poolid: -1</c>).</summary>
    public long? ApplicationId { get; init; }

    public long Hits { get; init; }

    public long IpCount { get; init; }

    public IReadOnlyList<IncidentSourceIp> TopIps { get; init; } = [];

    public IReadOnlyList<string> StatusCodes { get; init; } = [];

    public required long VulnerabilityId { get; init; }

    public long? Threat { get; init; }

    public string? Target { get; init; }

    /// <summary>Number of distinct malicious payloads (<c>vectors_count</c>).</summary>
    public long? PayloadCount { get; init; }

    /// <summary>The API's <c>block_status</c> text, kept as sent even when it is a value we do not know.</summary>
    public string? BlockStatus { get; init; }

    public IncidentStatus Status { get; init; }

    /// <summary><c>falsepositive</c> when an analyst marked it so; reports leave those out.</summary>
    public string? State { get; init; }

    /// <summary>Wallarm sent the first hit after the last; the two were swapped (see <see cref="ReadNotes"/>).</summary>
    public bool TimesReversed { get; init; }

    /// <summary>What was repaired or left out to read the record from Wallarm; null when nothing was.</summary>
    public string? ReadNotes { get; init; }

    public TimeSpan Duration => LastSeen - FirstSeen;

    public static IncidentStatus ParseStatus(string? blockStatus) => blockStatus?.Trim().ToLowerInvariant() switch
    {
        "blocked" => IncidentStatus.Blocked,
        "monitored" or "monitoring" => IncidentStatus.Monitoring,
        "partially_blocked" or "partially blocked" or "partial" or "partially" => IncidentStatus.PartiallyBlocked,
        _ => IncidentStatus.Unknown,
    };
}
