namespace IncidentFunctions.Wallarm;

/// <summary>A source IP among an attack's most active ones (<c>ip_top[]</c>).</summary>
public sealed record WallarmIpTop(string? Ip, long? Count, string? Country);

/// <summary>
/// One element of <c>/v1/objects/attack</c> <c>body[]</c>, read leniently (see <see cref="WallarmRecordReader"/>).
/// An incident has a non-null <see cref="VulnId"/>. A record that reaches this type has an id and plausible times.
/// </summary>
public sealed class WallarmAttack
{
    /// <summary>The stable id: <c>attackid</c>, or <c>"index:docid"</c> from the <c>id</c> pair.</summary>
    public required string Id { get; init; }

    public long? ClientId { get; init; }

    public string? Domain { get; init; }

    public string? Path { get; init; }

    public long? PoolId { get; init; }

    public string? Method { get; init; }

    public string? Parameter { get; init; }

    public string[]? Point { get; init; }

    public string? Type { get; init; }

    /// <summary>First hit, unix seconds; never after <see cref="LastTime"/> (reversed times are swapped, see <see cref="TimesReversed"/>).</summary>
    public required long FirstTime { get; init; }

    public required long LastTime { get; init; }

    public long? Hits { get; init; }

    public long? HitsCountByFilter { get; init; }

    public long? IpCount { get; init; }

    public IReadOnlyList<WallarmIpTop> IpTop { get; init; } = [];

    public string[]? StatusCodes { get; init; }

    public long? VulnId { get; init; }

    public long? Threat { get; init; }

    public string? Target { get; init; }

    public long? VectorsCount { get; init; }

    public string? BlockStatus { get; init; }

    public string? State { get; init; }

    /// <summary>The API sent <c>first_time</c> after <c>last_time</c>; they were swapped.</summary>
    public bool TimesReversed { get; init; }

    /// <summary>What had to be repaired or left out to read the record (null when nothing): replaced text, unreadable fields.</summary>
    public string? ReadNotes { get; init; }
}

/// <summary>
/// A record of a page that cannot be stored: not JSON, no id, unusable times or <c>vulnid</c>, or absurdly large.
/// </summary>
/// <param name="Index">Position in its page's <c>body</c> array.</param>
/// <param name="Id">The record's id when one could be found, so a later well-formed copy resolves it.</param>
/// <param name="Reason">Why it was set aside (plain text, no record content beyond short excerpts).</param>
/// <param name="RawJson">The record as received (after replacing invalid text), cut to a bound.</param>
/// <param name="RawBytes">Size of the record as received.</param>
/// <param name="Fingerprint">SHA-256 (hex) of the record's bytes: identifies a record without an id.</param>
public sealed record WallarmRejectedRecord(int Index, string? Id, string Reason, string RawJson, int RawBytes, string Fingerprint)
{
    /// <summary>The identity used to count and deduplicate it: its id, or its fingerprint.</summary>
    public string Key => Id ?? "sha256:" + Fingerprint;
}

/// <summary>One element of <c>/v1/objects/vuln</c> <c>body[]</c>: the security issue an incident exploited.</summary>
public sealed class WallarmVulnerability
{
    public required long Id { get; init; }

    public string? Wid { get; init; }

    public string? Title { get; init; }

    public string? Type { get; init; }

    public long? Threat { get; init; }

    public string? Status { get; init; }

    public string? Target { get; init; }

    public string? Domain { get; init; }

    public string? Path { get; init; }

    public string? Parameter { get; init; }

    public string? Method { get; init; }

    public long? ValidateTime { get; init; }
}
