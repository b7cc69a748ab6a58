using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Wallarm;

/// <summary>
/// Reads one attack or vulnerability record on its own and leniently. Fields of an unusable shape are left out and
/// named in <see cref="WallarmAttack.ReadNotes"/>; only what makes a record impossible to store sets it aside as a
/// <see cref="WallarmRejectedRecord"/>: not JSON, no id or one over <see cref="MaxIdChars"/>, no plausible first/last hit, an unreadable <c>vulnid</c>, or
/// more than <see cref="MaxRecordBytes"/>.
/// </summary>
internal static class WallarmRecordReader
{
    /// <summary>No real attack record comes near this (paths are bounded by HTTP servers to a few KB); bigger is garbage.</summary>
    public const int MaxRecordBytes = 256 * 1024;

    /// <summary>How much of a rejected record is kept for an operator to look at.</summary>
    public const int MaxRawChars = 16_000;

    /// <summary>
    /// The longest id stored: an id is a table key (at most 512 characters, and escaping may triple a character).
    /// Wallarm's are a few dozen characters; a longer one is set aside under its fingerprint, since every write keyed by
    /// it would fail on every run.
    /// </summary>
    public const int MaxIdChars = 128;

    private const int MaxNotesChars = 500;

    /// <summary>2000-01-01: Wallarm did not exist before; an earlier time is garbage, as is one more than a day ahead.</summary>
    private const long EarliestPlausible = 946_684_800;

    private const long FutureTolerance = 86_400;

    /// <summary>The attack in <paramref name="json"/>, or null with <paramref name="rejected"/> saying why it cannot be stored.</summary>
    /// <param name="repaired">The page repair changed bytes inside this record (invalid text replaced).</param>
    public static WallarmAttack? ReadAttack(ReadOnlySpan<byte> json, int index, bool repaired, long nowUnix, out WallarmRejectedRecord? rejected)
    {
        rejected = null;
        if (json.Length > MaxRecordBytes)
        {
            rejected = Reject(json, index, FindAttackId(json), string.Create(CultureInfo.InvariantCulture, $"the record is {json.Length:N0} bytes, over the {MaxRecordBytes / 1024:N0} KiB a record may have"));
            return null;
        }

        var fields = new AttackFields();
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                rejected = Reject(json, index, null, reader.TokenType == JsonTokenType.Null ? "the record is null" : $"the record is {WallarmValueReader.Shape(reader.TokenType)}, not an object");
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Classify(ref reader);
                reader.Read();
                fields.Read(field, ref reader, json);
            }

            // Anything after the object (or an object that never closed) is a syntax error the reader reports here.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) throw new JsonException("unexpected data after the record");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: text the repair let through that the reader still cannot decode.
            rejected = Reject(json, index, fields.Id ?? FindAttackId(json), "the record is not valid JSON: " + Bounded(ex.Message, 200));
            return null;
        }

        var id = fields.Id;
        if (id is null)
        {
            rejected = Reject(json, index, null, "the record has no id (neither 'attackid' nor an 'id' pair)");
            return null;
        }

        if (id.Length > MaxIdChars)
        {
            rejected = Reject(json, index, id, string.Create(CultureInfo.InvariantCulture, $"the record's id is {id.Length:N0} characters, over the {MaxIdChars} an id may have"));
            return null;
        }

        if (fields.VulnIdProblem is { } vulnProblem)
        {
            rejected = Reject(json, index, id, $"'vulnid' is unusable ({vulnProblem}): it cannot be told whether the record is an incident");
            return null;
        }

        var timeProblem = CheckTime("first_time", fields.FirstTime, fields.FirstTimeProblem, nowUnix) ?? CheckTime("last_time", fields.LastTime, fields.LastTimeProblem, nowUnix);
        if (timeProblem is not null)
        {
            rejected = Reject(json, index, id, timeProblem);
            return null;
        }

        var first = fields.FirstTime!.Value;
        var last = fields.LastTime!.Value;
        var reversed = last < first;
        if (reversed) (first, last) = (last, first);

        return new WallarmAttack
        {
            Id = id,
            ClientId = fields.ClientId,
            Domain = fields.Domain,
            Path = fields.Path,
            PoolId = fields.PoolId,
            Method = fields.Method,
            Parameter = fields.Parameter,
            Point = fields.Point,
            Type = fields.Type,
            FirstTime = first,
            LastTime = last,
            Hits = fields.Hits,
            HitsCountByFilter = fields.HitsCountByFilter,
            IpCount = fields.IpCount,
            IpTop = fields.IpTop ?? [],
            StatusCodes = fields.StatusCodes,
            VulnId = fields.VulnId,
            Threat = fields.Threat,
            Target = fields.Target,
            VectorsCount = fields.VectorsCount,
            BlockStatus = fields.BlockStatus,
            State = fields.State,
            TimesReversed = reversed,
            ReadNotes = Notes(repaired, reversed, fields.Problems),
        };
    }

    /// <summary>The vulnerability in <paramref name="json"/>, or null (with the reason) when it has no usable id or is not JSON.</summary>
    public static WallarmVulnerability? ReadVulnerability(ReadOnlySpan<byte> json, out string? problem)
    {
        problem = null;
        if (json.Length > MaxRecordBytes)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"a record of {json.Length:N0} bytes");
            return null;
        }

        long? id = null;
        string? wid = null, title = null, type = null, status = null, target = null, domain = null, path = null, parameter = null, method = null;
        long? threat = null, validateTime = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "a record that is not an object";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = ClassifyVuln(ref reader);
                reader.Read();
                switch (field)
                {
                    case VulnField.Id: id = WallarmValueReader.ReadInt64(ref reader, out _); break;
                    case VulnField.Wid: wid = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Title: title = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Type: type = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Threat: threat = WallarmValueReader.ReadInt64(ref reader, out _); break;
                    case VulnField.Status: status = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Target: target = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Domain: domain = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Path: path = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Parameter: parameter = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.Method: method = WallarmValueReader.ReadString(ref reader, out _); break;
                    case VulnField.ValidateTime: validateTime = WallarmValueReader.ReadInt64(ref reader, out _); break;
                    default: reader.Skip(); break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) throw new JsonException("unexpected data after the record");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            problem = id is { } known ? string.Create(CultureInfo.InvariantCulture, $"record {known} is not valid JSON") : "a record that is not valid JSON";
            return null;
        }

        if (id is not { } vulnId)
        {
            problem = "a record without an id";
            return null;
        }

        return new WallarmVulnerability
        {
            Id = vulnId, Wid = wid, Title = title, Type = type, Threat = threat, Status = status, Target = target,
            Domain = domain, Path = path, Parameter = parameter, Method = method, ValidateTime = validateTime,
        };
    }

    private static string? CheckTime(string name, long? value, string? problem, long nowUnix)
    {
        if (value is not { } t) return problem is null ? $"'{name}' is missing" : $"'{name}' is unusable ({problem})";
        return t < EarliestPlausible || t > nowUnix + FutureTolerance
            ? string.Create(CultureInfo.InvariantCulture, $"'{name}' {t} is not a plausible time (before 2000 or more than a day ahead)")
            : null;
    }

    private static string? Notes(bool repaired, bool reversed, List<string>? problems)
    {
        if (!repaired && !reversed && problems is null) return null;
        var parts = new List<string>(3);
        if (repaired) parts.Add("invalid text replaced with U+FFFD");
        if (reversed) parts.Add("first_time and last_time were reversed and swapped");
        if (problems is not null) parts.Add("left out: " + string.Join(", ", problems));
        return StoredText.Bound(string.Join("; ", parts), MaxNotesChars);
    }

    private static WallarmRejectedRecord Reject(ReadOnlySpan<byte> json, int index, string? id, string reason)
    {
        // Decoding more than three bytes per kept character is never needed; a cut that the bound did not mark is marked here.
        var head = json.Length <= MaxRawChars * 3 ? json : json[..(MaxRawChars * 3)];
        var raw = StoredText.Bound(Encoding.UTF8.GetString(head), MaxRawChars)!;
        if (head.Length < json.Length && !StoredText.IsTruncated(raw))
        {
            raw += string.Create(CultureInfo.InvariantCulture, $"{StoredText.MarkerPrefix}{json.Length - head.Length} bytes]");
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(json));
        // An id too long to be a key is no key: the entry goes under the fingerprint (the id stays in the raw JSON).
        return new WallarmRejectedRecord(index, id is null || id.Length > MaxIdChars ? null : id, reason, raw, json.Length, fingerprint);
    }

    /// <summary>Best effort for records that cannot be parsed: the value of the first <c>"attackid": "…"</c>.</summary>
    internal static string? FindAttackId(ReadOnlySpan<byte> json)
    {
        var at = json.IndexOf("\"attackid\""u8);
        if (at < 0) return null;
        var i = at + 10;
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)':') i++;
        if (i >= json.Length || json[i] != (byte)'"') return null;
        var rest = json[(i + 1)..];
        var end = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (end <= 0 || end > 512 || rest[end] != (byte)'"') return null;
        return Encoding.UTF8.GetString(rest[..end]);
    }

    private static string Bounded(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    private static AttackField Classify(ref Utf8JsonReader reader)
    {
        // Names are compared by length first: most records carry thirty-odd members and this runs for each of them.
        if (reader.ValueIsEscaped)
        {
            foreach (var (text, field) in AttackFieldNames)
            {
                if (reader.ValueTextEquals(text)) return field;
            }

            return AttackField.Other;
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            2 when name.SequenceEqual("id"u8) => AttackField.Id,
            4 when name.SequenceEqual("path"u8) => AttackField.Path,
            4 when name.SequenceEqual("type"u8) => AttackField.Type,
            4 when name.SequenceEqual("hits"u8) => AttackField.Hits,
            5 when name.SequenceEqual("point"u8) => AttackField.Point,
            5 when name.SequenceEqual("state"u8) => AttackField.State,
            6 when name.SequenceEqual("domain"u8) => AttackField.Domain,
            6 when name.SequenceEqual("method"u8) => AttackField.Method,
            6 when name.SequenceEqual("poolid"u8) => AttackField.PoolId,
            6 when name.SequenceEqual("vulnid"u8) => AttackField.VulnId,
            6 when name.SequenceEqual("threat"u8) => AttackField.Threat,
            6 when name.SequenceEqual("target"u8) => AttackField.Target,
            6 when name.SequenceEqual("ip_top"u8) => AttackField.IpTop,
            8 when name.SequenceEqual("attackid"u8) => AttackField.AttackId,
            8 when name.SequenceEqual("clientid"u8) => AttackField.ClientId,
            8 when name.SequenceEqual("ip_count"u8) => AttackField.IpCount,
            9 when name.SequenceEqual("parameter"u8) => AttackField.Parameter,
            9 when name.SequenceEqual("last_time"u8) => AttackField.LastTime,
            10 when name.SequenceEqual("first_time"u8) => AttackField.FirstTime,
            11 when name.SequenceEqual("statuscodes"u8) => AttackField.StatusCodes,
            12 when name.SequenceEqual("block_status"u8) => AttackField.BlockStatus,
            13 when name.SequenceEqual("vectors_count"u8) => AttackField.VectorsCount,
            20 when name.SequenceEqual("hits_count_by_filter"u8) => AttackField.HitsCountByFilter,
            _ => AttackField.Other,
        };
    }

    private static readonly (byte[] Name, AttackField Field)[] AttackFieldNames =
    [
        ("id"u8.ToArray(), AttackField.Id), ("attackid"u8.ToArray(), AttackField.AttackId), ("clientid"u8.ToArray(), AttackField.ClientId),
        ("domain"u8.ToArray(), AttackField.Domain), ("path"u8.ToArray(), AttackField.Path), ("poolid"u8.ToArray(), AttackField.PoolId),
        ("method"u8.ToArray(), AttackField.Method), ("parameter"u8.ToArray(), AttackField.Parameter), ("point"u8.ToArray(), AttackField.Point),
        ("type"u8.ToArray(), AttackField.Type), ("first_time"u8.ToArray(), AttackField.FirstTime), ("last_time"u8.ToArray(), AttackField.LastTime),
        ("hits"u8.ToArray(), AttackField.Hits), ("hits_count_by_filter"u8.ToArray(), AttackField.HitsCountByFilter), ("ip_count"u8.ToArray(), AttackField.IpCount),
        ("ip_top"u8.ToArray(), AttackField.IpTop), ("statuscodes"u8.ToArray(), AttackField.StatusCodes), ("vulnid"u8.ToArray(), AttackField.VulnId),
        ("threat"u8.ToArray(), AttackField.Threat), ("target"u8.ToArray(), AttackField.Target), ("vectors_count"u8.ToArray(), AttackField.VectorsCount),
        ("block_status"u8.ToArray(), AttackField.BlockStatus), ("state"u8.ToArray(), AttackField.State),
    ];

    private static readonly (byte[] Name, VulnField Field)[] VulnFields =
    [
        ("id"u8.ToArray(), VulnField.Id), ("wid"u8.ToArray(), VulnField.Wid), ("title"u8.ToArray(), VulnField.Title), ("type"u8.ToArray(), VulnField.Type),
        ("threat"u8.ToArray(), VulnField.Threat), ("status"u8.ToArray(), VulnField.Status), ("target"u8.ToArray(), VulnField.Target),
        ("domain"u8.ToArray(), VulnField.Domain), ("path"u8.ToArray(), VulnField.Path), ("parameter"u8.ToArray(), VulnField.Parameter),
        ("method"u8.ToArray(), VulnField.Method), ("validate_time"u8.ToArray(), VulnField.ValidateTime),
    ];

    private static VulnField ClassifyVuln(ref Utf8JsonReader reader)
    {
        foreach (var (name, field) in VulnFields)
        {
            if (reader.ValueTextEquals(name)) return field;
        }

        return VulnField.Other;
    }

    private enum VulnField
    {
        Other, Id, Wid, Title, Type, Threat, Status, Target, Domain, Path, Parameter, Method, ValidateTime,
    }

    private enum AttackField
    {
        Other, Id, AttackId, ClientId, Domain, Path, PoolId, Method, Parameter, Point, Type, FirstTime, LastTime, Hits,
        HitsCountByFilter, IpCount, IpTop, StatusCodes, VulnId, Threat, Target, VectorsCount, BlockStatus, State,
    }

    /// <summary>The fields of one attack as read so far, and what could not be read.</summary>
    private sealed class AttackFields
    {
        private string? _attackId;
        private string[]? _idPair;

        /// <summary>
        /// <c>attackid</c>, or <c>"index:docid"</c> from the <c>id</c> pair when it is missing or damaged (replaced
        /// text would make a different id than the one the record had before and will have again).
        /// </summary>
        public string? Id
        {
            get
            {
                var pair = _idPair is { Length: >= 2 } p ? $"{p[0]}:{p[1]}" : null;
                if (string.IsNullOrEmpty(_attackId)) return pair;
                return pair is not null && _attackId.Contains('\uFFFD', StringComparison.Ordinal) && !pair.Contains('\uFFFD', StringComparison.Ordinal) ? pair : _attackId;
            }
        }

        public long? ClientId { get; private set; }

        public string? Domain { get; private set; }

        public string? Path { get; private set; }

        public long? PoolId { get; private set; }

        public string? Method { get; private set; }

        public string? Parameter { get; private set; }

        public string[]? Point { get; private set; }

        public string? Type { get; private set; }

        public long? FirstTime { get; private set; }

        public string? FirstTimeProblem { get; private set; }

        public long? LastTime { get; private set; }

        public string? LastTimeProblem { get; private set; }

        public long? Hits { get; private set; }

        public long? HitsCountByFilter { get; private set; }

        public long? IpCount { get; private set; }

        public List<WallarmIpTop>? IpTop { get; private set; }

        public string[]? StatusCodes { get; private set; }

        public long? VulnId { get; private set; }

        public string? VulnIdProblem { get; private set; }

        public long? Threat { get; private set; }

        public string? Target { get; private set; }

        public long? VectorsCount { get; private set; }

        public string? BlockStatus { get; private set; }

        public string? State { get; private set; }

        public List<string>? Problems { get; private set; }

        public void Read(AttackField field, ref Utf8JsonReader r, ReadOnlySpan<byte> source)
        {
            string? problem = null;
            switch (field)
            {
                case AttackField.Id: _idPair = WallarmValueReader.ReadStrings(ref r, source, out problem); break;
                case AttackField.AttackId: _attackId = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.ClientId: ClientId = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.Domain: Domain = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.Path: Path = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.PoolId: PoolId = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.Method: Method = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.Parameter: Parameter = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.Point: Point = WallarmValueReader.ReadStrings(ref r, source, out problem); break;
                case AttackField.Type: Type = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.FirstTime: FirstTime = WallarmValueReader.ReadInt64(ref r, out problem); FirstTimeProblem = problem; break;
                case AttackField.LastTime: LastTime = WallarmValueReader.ReadInt64(ref r, out problem); LastTimeProblem = problem; break;
                case AttackField.Hits: Hits = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.HitsCountByFilter: HitsCountByFilter = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.IpCount: IpCount = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.IpTop: IpTop = ReadIpTop(ref r, out problem); break;
                case AttackField.StatusCodes: StatusCodes = WallarmValueReader.ReadStrings(ref r, source, out problem); break;
                case AttackField.VulnId: VulnId = WallarmValueReader.ReadInt64(ref r, out problem); VulnIdProblem = problem; break;
                case AttackField.Threat: Threat = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.Target: Target = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.VectorsCount: VectorsCount = WallarmValueReader.ReadInt64(ref r, out problem); break;
                case AttackField.BlockStatus: BlockStatus = WallarmValueReader.ReadString(ref r, out problem); break;
                case AttackField.State: State = WallarmValueReader.ReadString(ref r, out problem); break;
                default: r.Skip(); break;
            }

            if (problem is not null && field is not (AttackField.FirstTime or AttackField.LastTime or AttackField.VulnId))
            {
                (Problems ??= []).Add($"{Name(field)} ({problem})");
            }
        }

        private static List<WallarmIpTop>? ReadIpTop(ref Utf8JsonReader r, out string? problem)
        {
            problem = null;
            if (r.TokenType == JsonTokenType.Null) return null;
            if (r.TokenType != JsonTokenType.StartArray)
            {
                problem = WallarmValueReader.Shape(r.TokenType);
                r.Skip();
                return null;
            }

            var list = new List<WallarmIpTop>();
            var skipped = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (r.TokenType != JsonTokenType.StartObject)
                {
                    if (r.TokenType != JsonTokenType.Null) skipped++;
                    r.Skip();
                    continue;
                }

                string? ip = null, country = null;
                long? count = null;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var isIp = r.ValueTextEquals("ip"u8);
                    var isCount = !isIp && r.ValueTextEquals("count"u8);
                    var isCountry = !isIp && !isCount && r.ValueTextEquals("country"u8);
                    r.Read();
                    if (isIp) ip = WallarmValueReader.ReadString(ref r, out _);
                    else if (isCount) count = WallarmValueReader.ReadInt64(ref r, out _);
                    else if (isCountry) country = WallarmValueReader.ReadString(ref r, out _);
                    else r.Skip();
                }

                list.Add(new WallarmIpTop(ip, count, country));
            }

            if (skipped > 0) problem = string.Create(CultureInfo.InvariantCulture, $"{skipped} entries that are not objects");
            return list;
        }

        private static string Name(AttackField field) => field switch
        {
            AttackField.Id => "id",
            AttackField.AttackId => "attackid",
            AttackField.ClientId => "clientid",
            AttackField.PoolId => "poolid",
            AttackField.FirstTime => "first_time",
            AttackField.LastTime => "last_time",
            AttackField.HitsCountByFilter => "hits_count_by_filter",
            AttackField.IpCount => "ip_count",
            AttackField.IpTop => "ip_top",
            AttackField.StatusCodes => "statuscodes",
            AttackField.VulnId => "vulnid",
            AttackField.VectorsCount => "vectors_count",
            AttackField.BlockStatus => "block_status",
            _ => field.ToString().ToLowerInvariant(),
        };
    }
}
