using System.Text.Json.Serialization;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>How one record is broken on the wire. Attack traffic is raw bytes; nothing documents how Wallarm serialises it.</summary>
public enum CorruptionKind
{
    /// <summary>An unpaired UTF-16 surrogate escape (<c>\ud800</c>) inside the string <see cref="CorruptionRule.Field"/>.</summary>
    UnpairedSurrogate,

    /// <summary>Bytes that are not UTF-8 (<c>0xC3 0x28</c>, <c>0xFF</c>) inside the string <see cref="CorruptionRule.Field"/>.</summary>
    InvalidUtf8,

    /// <summary><c>first_time</c> after <c>last_time</c>.</summary>
    ReversedTimes,

    /// <summary>The number <see cref="CorruptionRule.Field"/> sent as a string (<c>"1786000000"</c>), or as text that is no number when <see cref="CorruptionRule.Value"/> is set.</summary>
    NumberAsString,

    /// <summary>Neither <c>id</c> nor <c>attackid</c> (for a vulnerability: no <c>id</c>).</summary>
    MissingId,

    /// <summary>The string <see cref="CorruptionRule.Field"/> grown by <see cref="CorruptionRule.Bytes"/> bytes.</summary>
    HugeField,

    /// <summary>A syntax error inside the record (<c>"hits": NaN</c>) while the page around it stays JSON.</summary>
    BrokenJson,

    /// <summary>The API fails while writing this record: any answer that holds it ends there, cut off.</summary>
    CutsAnswer,

    /// <summary>Counted, but left out of every list answer (a listing that drops what the count holds).</summary>
    Unlisted,

    /// <summary>The API answers 500 to any request whose answer would hold this record (it fails to serialise it).</summary>
    FailsAnswer,
}

/// <summary>
/// Breaks one attack or vulnerability record on the wire: the one named by <see cref="Target"/> (an attack id or a
/// vulnerability id), or every <see cref="Every"/>-th attack by a stable hash of its id.
/// </summary>
public sealed record CorruptionRule
{
    [JsonConverter(typeof(JsonStringEnumConverter<CorruptionKind>))]
    public CorruptionKind Kind { get; init; }

    /// <summary>The field to break, where the kind takes one (<c>domain</c>, <c>path</c>, <c>title</c>, <c>first_time</c>…).</summary>
    public string Field { get; init; } = "domain";

    /// <summary>An attack id (<c>index:docid</c>) or a vulnerability id; null to use <see cref="Every"/>.</summary>
    public string? Target { get; init; }

    /// <summary>With no <see cref="Target"/>: break every n-th attack (by a hash of its id). 0: none.</summary>
    public int Every { get; init; }

    /// <summary>For <see cref="CorruptionKind.HugeField"/>: bytes added.</summary>
    public int Bytes { get; init; } = 1024 * 1024;

    /// <summary>For <see cref="CorruptionKind.HugeField"/>: the ASCII character added (one JSON takes as is, e.g. <c>&lt;</c>, which serializers escape to six bytes).</summary>
    public char Fill { get; init; } = 'A';

    /// <summary>For <see cref="CorruptionKind.NumberAsString"/>: the text sent instead of the number (null: the number's own digits).</summary>
    public string? Value { get; init; }

    /// <summary>Parses the command-line form <c>kind[:field[:every]]</c>, e.g. <c>unpairedsurrogate:domain:50</c>.</summary>
    public static CorruptionRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', StringSplitOptions.TrimEntries);
        if (!Enum.TryParse<CorruptionKind>(parts[0], ignoreCase: true, out var kind))
        {
            throw new FormatException($"Unknown corruption '{parts[0]}'. Use one of: {string.Join(", ", Enum.GetNames<CorruptionKind>())}.");
        }

        var field = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : kind switch
        {
            CorruptionKind.NumberAsString => "hits",
            CorruptionKind.HugeField => "path",
            _ => "domain",
        };
        var every = parts.Length > 2 && int.TryParse(parts[2], out var n) ? n : 100;
        return new CorruptionRule { Kind = kind, Field = field, Every = every };
    }

    internal bool AppliesTo(string id, bool isAttack)
        => Target is not null ? string.Equals(Target, id, StringComparison.Ordinal) : isAttack && Every > 0 && StableHash(id) % (ulong)Every == 0;

    private static ulong StableHash(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }
}

/// <summary>The corruptions armed right now; switchable per test (in process) and over HTTP (<c>/__simulator/corruptions</c>).</summary>
public sealed class RecordCorruptions
{
    private readonly Lock _gate = new();
    private List<CorruptionRule> _rules = [];

    public IReadOnlyList<CorruptionRule> Armed
    {
        get
        {
            lock (_gate) return _rules;
        }
    }

    public void Add(CorruptionRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate) _rules = [.. _rules, rule];
    }

    /// <summary>Disarms the rules naming <paramref name="target"/>: the record is served well-formed again.</summary>
    public void Remove(string target)
    {
        lock (_gate) _rules = _rules.Where(r => r.Target != target).ToList();
    }

    public void Clear()
    {
        lock (_gate) _rules = [];
    }

    /// <summary>The rules that break the attack or vulnerability with this id (usually none: checked without a lock).</summary>
    internal IReadOnlyList<CorruptionRule> For(string id, bool isAttack)
    {
        var rules = _rules;
        if (rules.Count == 0) return [];
        return rules.Where(r => r.AppliesTo(id, isAttack)).ToList();
    }
}
