using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Incidents;

/// <summary>
/// One row per incident per report day it was active on: PartitionKey <c>{tenant}-{yyyyMMdd}</c>, RowKey the
/// escaped incident id. A day's report is then a single partition query, and re-pulls upsert the same rows.
/// Ingestion writes with UpsertMerge and owns only the properties declared here, so columns other writers add to the
/// row (enrichment summaries) survive a re-pull.
/// </summary>
public sealed class IncidentEntity : ITableEntity
{
    // Bounds well inside the 64 KiB-per-property and 1 MiB-per-entity service limits, with room for other columns.
    internal const int MaxDomainChars = 1_024;
    internal const int MaxPathChars = 16_000;
    internal const int MaxParameterChars = 4_000;
    internal const int MaxPointChars = 2_000;
    internal const int MaxShortChars = 256;
    internal const int MaxTopIps = 20;

    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public long TenantId { get; set; }

    public string IncidentId { get; set; } = "";

    /// <summary>The report day of this row, <c>yyyy-MM-dd</c> in the report time zone.</summary>
    public string Day { get; set; } = "";

    public string TimeZone { get; set; } = "";

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public string AttackType { get; set; } = "";

    public string? Domain { get; set; }

    public string? Path { get; set; }

    public string? Method { get; set; }

    public string? Parameter { get; set; }

    public string? Point { get; set; }

    public long? ApplicationId { get; set; }

    public long Hits { get; set; }

    public long IpCount { get; set; }

    /// <summary>JSON array of <c>{ip, hits, country}</c>, most active first.</summary>
    public string TopIpsJson { get; set; } = "[]";

    public string? TopIp { get; set; }

    public string? TopIpCountry { get; set; }

    public string? StatusCodes { get; set; }

    public long VulnerabilityId { get; set; }

    public long? Threat { get; set; }

    public string? Target { get; set; }

    public long? PayloadCount { get; set; }

    public string? BlockStatus { get; set; }

    public string Status { get; set; } = nameof(IncidentStatus.Unknown);

    public string? State { get; set; }

    /// <summary>Wallarm sent <c>first_time</c> after <c>last_time</c>; stored in order, flagged here.</summary>
    public bool TimesReversed { get; set; }

    /// <summary>
    /// What was repaired (invalid text shown as U+FFFD) or left out (fields of an unusable shape) to read the record;
    /// empty when nothing was. Written on every pull, so a later clean copy clears it.
    /// </summary>
    public string ReadNotes { get; set; } = "";

    /// <summary>When ingestion last wrote this row.</summary>
    public DateTimeOffset PulledAt { get; set; }

    public static IncidentEntity From(Incident incident, string partitionKey, string isoDay, string timeZone, DateTimeOffset pulledAt)
    {
        var topIps = incident.TopIps.Take(MaxTopIps).ToList();
        return new IncidentEntity
        {
            PartitionKey = partitionKey,
            RowKey = TableKeys.Escape(incident.Id),
            TenantId = incident.TenantId,
            IncidentId = StoredText.Bound(incident.Id, MaxDomainChars)!,
            Day = isoDay,
            TimeZone = timeZone,
            FirstSeen = incident.FirstSeen,
            LastSeen = incident.LastSeen,
            AttackType = StoredText.Bound(incident.AttackType, MaxShortChars)!,
            Domain = StoredText.Bound(incident.Domain, MaxDomainChars),
            Path = StoredText.Bound(incident.Path, MaxPathChars),
            Method = StoredText.Bound(incident.Method, MaxShortChars),
            Parameter = StoredText.Bound(incident.Parameter, MaxParameterChars),
            Point = StoredText.Bound(incident.Point, MaxPointChars),
            ApplicationId = incident.ApplicationId,
            Hits = incident.Hits,
            IpCount = incident.IpCount,
            TopIpsJson = JsonSerializer.Serialize(
                topIps.Select(t => new StoredSourceIp(StoredText.Bound(t.Ip, 64)!, t.Hits, StoredText.Bound(t.Country, 8))).ToList(),
                IncidentJsonContext.Default.ListStoredSourceIp),
            TopIp = topIps.Count > 0 ? StoredText.Bound(topIps[0].Ip, 64) : null,
            TopIpCountry = topIps.Count > 0 ? StoredText.Bound(topIps[0].Country, 8) : null,
            StatusCodes = incident.StatusCodes.Count > 0 ? StoredText.Bound(string.Join(',', incident.StatusCodes), MaxShortChars) : null,
            VulnerabilityId = incident.VulnerabilityId,
            Threat = incident.Threat,
            Target = StoredText.Bound(incident.Target, MaxShortChars),
            PayloadCount = incident.PayloadCount,
            BlockStatus = StoredText.Bound(incident.BlockStatus, MaxShortChars),
            Status = incident.Status.ToString(),
            State = StoredText.Bound(incident.State, MaxShortChars),
            TimesReversed = incident.TimesReversed,
            ReadNotes = StoredText.Bound(incident.ReadNotes, MaxParameterChars) ?? "",
            PulledAt = pulledAt,
        };
    }

    public IReadOnlyList<IncidentSourceIp> ReadTopIps() => TryReadTopIpsFast(TopIpsJson) ?? ReadTopIpsSerialized(TopIpsJson);

    /// <summary>What the serializer reads from <paramref name="json"/> (malformed JSON: none).</summary>
    internal static List<IncidentSourceIp> ReadTopIpsSerialized(string json)
    {
        try
        {
            var stored = JsonSerializer.Deserialize(json, IncidentJsonContext.Default.ListStoredSourceIp) ?? [];
            return stored.Select(s => new IncidentSourceIp(s.Ip, s.Hits, s.Country)).ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// The shape <see cref="From"/> writes (ASCII, an array of objects with at most <c>ip</c>, <c>hits</c> and
    /// <c>country</c>, each once) read with a bare reader; null for anything else, which then goes through the
    /// serializer. Reports read every row's list (the day's and the day before's): the serializer's per-call state
    /// and its constructor-argument path cost more than the few small objects read.
    /// </summary>
    internal static List<IncidentSourceIp>? TryReadTopIpsFast(string json)
    {
        if (json.Length > 4_096 || json.AsSpan().ContainsAnyExceptInRange('\u0001', '\u007F')) return null;
        Span<byte> utf8 = stackalloc byte[json.Length];
        for (var i = 0; i < json.Length; i++) utf8[i] = (byte)json[i];
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return null;
            var result = new List<IncidentSourceIp>(json.AsSpan().Count('{')); // one object per IP: no regrowing
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? ip = null, country = null;
                long hits = 0;
                bool seenIp = false, seenHits = false, seenCountry = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var property = reader.ValueTextEquals("ip"u8) ? 0 : reader.ValueTextEquals("hits"u8) ? 1 : reader.ValueTextEquals("country"u8) ? 2 : -1;
                    if (!reader.Read()) return null;
                    switch (property)
                    {
                        case 0 when !seenIp && reader.TokenType == JsonTokenType.String:
                            (ip, seenIp) = (reader.GetString(), true);
                            break;
                        case 1 when !seenHits && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out hits):
                            seenHits = true;
                            break;
                        case 2 when !seenCountry && reader.TokenType is JsonTokenType.String or JsonTokenType.Null:
                            (country, seenCountry) = (reader.TokenType == JsonTokenType.Null ? null : reader.GetString(), true);
                            break;
                        default:
                            return null;
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject || !seenIp) return null;
                result.Add(new IncidentSourceIp(ip!, hits, country));
            }

            return reader.TokenType == JsonTokenType.EndArray && !reader.Read() ? result : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public IncidentStatus ReadStatus() => Enum.TryParse<IncidentStatus>(Status, out var s) ? s : IncidentStatus.Unknown;
}

/// <summary>Storage shape of <see cref="IncidentSourceIp"/>.</summary>
public sealed record StoredSourceIp(string Ip, long Hits, string? Country);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<StoredSourceIp>))]
internal sealed partial class IncidentJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
