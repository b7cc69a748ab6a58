using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentFunctions.Incidents;

/// <summary>
/// The enrichment queue's one message contract (version 1): source IPs seen in pulled incidents, with the
/// incidents and report days that refer to them. Producers and consumers share this type; a consumer rejects a
/// version it does not know. On the queue a body is the request's JSON, gzip-compressed
/// (<see cref="EnrichmentRequestSerializer.Encode"/>), then base64-encoded (host.json <c>messageEncoding</c>).
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

/// <summary>
/// Writes and reads queue bodies. A body is the request's JSON, gzip-compressed: incident ids share their index prefix
/// and days repeat, so a body holds about three times the sources, and a pull sends (and the storage account keeps)
/// about a quarter of the bytes (a 100,000-incident backfill: 162 messages of 6.9 MB base64 against 488 of 26.6 MB).
/// Uncompressed JSON (messages from earlier versions, tools, tests) is read too. Anything
/// not a valid version-1 request is a <see cref="FormatException"/>.
/// </summary>
public static class EnrichmentRequestSerializer
{
    /// <summary>Largest body accepted once inflated: a few times what the publisher writes, so a small hostile body cannot expand without bound.</summary>
    public const int MaxInflatedBytes = 1024 * 1024;

    /// <summary>Refuses invalid bytes instead of replacing them, so a damaged message is poisoned, not half-read.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Serialize(EnrichmentRequest request) => JsonSerializer.Serialize(request, EnrichmentJsonContext.Default.EnrichmentRequest);

    /// <summary>The queue body: the request's JSON, gzip-compressed.</summary>
    public static BinaryData Encode(EnrichmentRequest request)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, request, EnrichmentJsonContext.Default.EnrichmentRequest);
        }

        return new BinaryData(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    internal static int SerializedSize(EnrichmentSource source) => JsonSerializer.SerializeToUtf8Bytes(source, EnrichmentJsonContext.Default.EnrichmentSource).Length;

    /// <summary>Reads a queue body as the trigger hands it over (base64 undone): gzip-compressed or plain UTF-8 JSON.</summary>
    public static EnrichmentRequest Decode(BinaryData body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = body.ToMemory();
        if (bytes.Span is [0x1f, 0x8b, ..]) bytes = Inflate(body);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes.Span);
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException("Enrichment message is not UTF-8 text.", ex);
        }

        return Deserialize(text);
    }

    private static ReadOnlyMemory<byte> Inflate(BinaryData body)
    {
        using var gzip = new GZipStream(body.ToStream(), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                if (inflated.Length + read > MaxInflatedBytes) throw new FormatException($"Enrichment message inflates to more than {MaxInflatedBytes:N0} bytes.");
                inflated.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException($"Enrichment message is not valid gzip: {ex.Message}", ex);
        }

        return inflated.GetBuffer().AsMemory(0, (int)inflated.Length);
    }

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
