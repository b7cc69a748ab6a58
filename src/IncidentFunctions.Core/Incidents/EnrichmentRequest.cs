using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentFunctions.Incidents;

/// <summary>
/// The enrichment queue's one message contract (version 1): source IPs seen in pulled incidents, with the
/// incidents and report days that refer to them. Producers and consumers share this type; a consumer rejects a
/// version it does not know. Sent base64-encoded (host.json <c>messageEncoding</c>).
/// </summary>
public sealed record EnrichmentRequest
{
    public const int CurrentVersion = 1;
    public const string MessageKind = "enrich-sources";

    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; init; } = MessageKind;

    [JsonPropertyName("tenantId")]
    public required long TenantId { get; init; }

    /// <summary>The pull run that produced the message; for tracing and idempotency logs.</summary>
    [JsonPropertyName("runId")]
    public required string RunId { get; init; }

    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("sources")]
    public required IReadOnlyList<EnrichmentSource> Sources { get; init; }
}

/// <summary>One source IP and where it was seen.</summary>
public sealed record EnrichmentSource
{
    [JsonPropertyName("ip")]
    public required string Ip { get; init; }

    /// <summary>Earliest first hit among the listed incidents: Tor status is judged as of the incident's time.</summary>
    [JsonPropertyName("firstSeen")]
    public required DateTimeOffset FirstSeen { get; init; }

    [JsonPropertyName("lastSeen")]
    public required DateTimeOffset LastSeen { get; init; }

    [JsonPropertyName("incidents")]
    public required IReadOnlyList<EnrichmentIncidentRef> Incidents { get; init; }
}

/// <summary>An incident row: its id and the report days (<c>yyyy-MM-dd</c>) it is filed under.</summary>
public sealed record EnrichmentIncidentRef
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("days")]
    public required IReadOnlyList<string> Days { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnrichmentRequest))]
[JsonSerializable(typeof(EnrichmentSource))]
internal sealed partial class EnrichmentJsonContext : JsonSerializerContext;

/// <summary>Parses and checks a message body; anything not a valid version-1 request is a <see cref="FormatException"/>.</summary>
public static class EnrichmentRequestSerializer
{
    public static string Serialize(EnrichmentRequest request) => JsonSerializer.Serialize(request, EnrichmentJsonContext.Default.EnrichmentRequest);

    internal static int SerializedSize(EnrichmentSource source) => JsonSerializer.SerializeToUtf8Bytes(source, EnrichmentJsonContext.Default.EnrichmentSource).Length;

    public static EnrichmentRequest Deserialize(string body)
    {
        EnrichmentRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, EnrichmentJsonContext.Default.EnrichmentRequest);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Enrichment message is not valid JSON: {ex.Message}", ex);
        }

        if (request is null) throw new FormatException("Enrichment message is JSON null.");
        if (request.Kind != EnrichmentRequest.MessageKind) throw new FormatException($"Enrichment message kind '{request.Kind}' is not '{EnrichmentRequest.MessageKind}'.");
        if (request.Version != EnrichmentRequest.CurrentVersion) throw new FormatException($"Enrichment message version {request.Version} is not supported (expected {EnrichmentRequest.CurrentVersion}).");
        if (request.Sources is null || request.Sources.Any(s => s is null || string.IsNullOrWhiteSpace(s.Ip) || s.Incidents is null))
            throw new FormatException("Enrichment message has a source without an ip or incidents.");
        return request;
    }
}
