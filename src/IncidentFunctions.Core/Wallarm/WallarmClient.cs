using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IncidentFunctions.Calendar;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Wallarm;

/// <summary>One page of incidents as the API returned it.</summary>
public sealed record WallarmAttackPage(int PageNumber, IReadOnlyList<WallarmAttack> Attacks);

/// <summary>
/// Typed client for the legacy Wallarm objects API. Retries (429, 5xx, timeouts, honouring Retry-After) live in the
/// resilience handler registered with it; this class turns answers into data or into clear exceptions.
/// </summary>
public sealed class WallarmClient(HttpClient http, IOptions<WallarmOptions> options, ILogger<WallarmClient> logger)
{
    public const string TokenHeader = "X-WallarmAPI-Token";
    public const string HttpClientName = "Wallarm";

    private const int MaxErrorDetail = 300;
    private const int MaxConsecutiveEmptyCursorPages = 20;

    private readonly WallarmOptions _options = options.Value;

    /// <summary>The caller's tenant id from <c>POST /v1/user</c>.</summary>
    public async Task<long> GetClientIdAsync(CancellationToken cancellationToken = default)
    {
        var envelope = await PostAsync("v1/user", static w => { w.WriteStartObject(); w.WriteEndObject(); },
            WallarmJsonContext.Default.WallarmEnvelopeWallarmUser, cancellationToken).ConfigureAwait(false);
        var clientId = envelope.Body?.ClientId
            ?? throw new WallarmMalformedResponseException("Wallarm /v1/user answered without body.client_id; set 'Wallarm__ClientId' to the tenant id explicitly.");
        WallarmLog.TenantDiscovered(logger, clientId);
        return clientId;
    }

    /// <summary>Incidents (attacks with a vulnerability) active in <paramref name="window"/>, newest last hit first.</summary>
    /// <remarks>Each page is yielded before the next is requested, so a caller stores a page before paging on.</remarks>
    public IAsyncEnumerable<WallarmAttackPage> GetIncidentPagesAsync(long clientId, TimeWindow window, CancellationToken cancellationToken = default)
        => _options.Paging == WallarmPaging.Cursor
            ? GetCursorPagesAsync(clientId, window, cancellationToken)
            : GetOffsetPagesAsync(clientId, window, cancellationToken);

    /// <summary>Number of incidents the API says are active in <paramref name="window"/>.</summary>
    public async Task<long> CountIncidentsAsync(long clientId, TimeWindow window, CancellationToken cancellationToken = default)
    {
        var envelope = await PostAsync("v1/objects/attack/count", w =>
        {
            w.WriteStartObject();
            WriteIncidentFilter(w, clientId, window);
            w.WriteEndObject();
        }, WallarmJsonContext.Default.WallarmEnvelopeWallarmAttackCount, cancellationToken).ConfigureAwait(false);

        return envelope.Body?.Attacks
            ?? throw new WallarmMalformedResponseException($"Wallarm /v1/objects/attack/count answered without body.attacks for window {window}.");
    }

    /// <summary>The vulnerabilities (security issues) with the given ids. Unknown ids are simply absent.</summary>
    public async Task<IReadOnlyList<WallarmVulnerability>> GetVulnerabilitiesAsync(long clientId, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        if (ids.Count > 1000) throw new ArgumentOutOfRangeException(nameof(ids), "At most 1,000 ids per request.");

        var envelope = await PostAsync("v1/objects/vuln", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("filter");
            w.WriteStartArray("clientid");
            w.WriteNumberValue(clientId);
            w.WriteEndArray();
            w.WriteStartArray("id");
            foreach (var id in ids) w.WriteNumberValue(id);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNumber("limit", ids.Count);
            w.WriteNumber("offset", 0);
            w.WriteEndObject();
        }, WallarmJsonContext.Default.WallarmEnvelopeListWallarmVulnerability, cancellationToken).ConfigureAwait(false);

        var body = envelope.Body ?? throw new WallarmMalformedResponseException("Wallarm /v1/objects/vuln answered without a body array.");
        var result = new List<WallarmVulnerability>(body.Count);
        foreach (var vuln in body)
        {
            if (vuln?.Id is null) throw new WallarmMalformedResponseException("Wallarm /v1/objects/vuln returned a vulnerability without an id.");
            result.Add(vuln);
        }

        WallarmLog.VulnerabilitiesFetched(logger, result.Count, ids.Count);
        return result;
    }

    private async IAsyncEnumerable<WallarmAttackPage> GetOffsetPagesAsync(long clientId, TimeWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var limit = _options.PageSize;
        for (int offset = 0, page = 0; ; offset += limit, page++)
        {
            var envelope = await PostAsync("v1/objects/attack", w =>
            {
                w.WriteStartObject();
                WriteIncidentFilter(w, clientId, window);
                w.WriteNumber("offset", offset);
                w.WriteNumber("limit", limit);
                w.WriteString("order_by", "last_time");
                w.WriteBoolean("order_desc", true);
                w.WriteEndObject();
            }, WallarmJsonContext.Default.WallarmEnvelopeListWallarmAttack, cancellationToken).ConfigureAwait(false);

            var attacks = ValidatePage(envelope.Body, page, window);
            WallarmLog.PageFetched(logger, page, attacks.Count, window.From, window.To);
            if (attacks.Count > 0) yield return new WallarmAttackPage(page, attacks);
            if (attacks.Count < limit) yield break;
        }
    }

    private async IAsyncEnumerable<WallarmAttackPage> GetCursorPagesAsync(long clientId, TimeWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        var emptyInARow = 0;
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 0; ; page++)
        {
            var requestCursor = cursor;
            var envelope = await PostAsync("v2/objects/attack", w =>
            {
                w.WriteStartObject();
                WriteIncidentFilter(w, clientId, window);
                w.WriteNumber("limit", _options.PageSize);
                w.WriteString("order_by", "last_time");
                w.WriteBoolean("order_desc", true);
                w.WriteBoolean("paging", true);
                if (requestCursor is not null) w.WriteString("cursor", requestCursor);
                w.WriteEndObject();
            }, WallarmJsonContext.Default.WallarmEnvelopeListWallarmAttack, cancellationToken).ConfigureAwait(false);

            var attacks = ValidatePage(envelope.Body, page, window);
            WallarmLog.PageFetched(logger, page, attacks.Count, window.From, window.To);

            // Yield the page before looking at the cursor: the last page carries data and no cursor.
            if (attacks.Count > 0) yield return new WallarmAttackPage(page, attacks);

            cursor = string.IsNullOrEmpty(envelope.Cursor) ? null : envelope.Cursor;
            if (cursor is null) yield break;
            if (!seenCursors.Add(cursor))
            {
                throw new WallarmMalformedResponseException($"Wallarm returned the same cursor twice (page {page}, window {window}); stopping to avoid an endless loop.");
            }

            if (attacks.Count == 0)
            {
                WallarmLog.EmptyCursorPage(logger, page);
                if (++emptyInARow > MaxConsecutiveEmptyCursorPages)
                {
                    throw new WallarmMalformedResponseException($"Wallarm returned {emptyInARow} empty pages in a row with a cursor (window {window}).");
                }
            }
            else
            {
                emptyInARow = 0;
            }
        }
    }

    private static List<WallarmAttack> ValidatePage(List<WallarmAttack?>? body, int page, TimeWindow window)
    {
        if (body is null)
        {
            throw new WallarmMalformedResponseException($"Wallarm incident page {page} for window {window} has no body array.");
        }

        var attacks = new List<WallarmAttack>(body.Count);
        for (var i = 0; i < body.Count; i++)
        {
            var attack = body[i];
            var problem = attack switch
            {
                null => "is null",
                { AttackId: null or "", Id: null or { Length: < 2 } } => "has neither 'attackid' nor an 'id' pair",
                { FirstTime: null } => "has no 'first_time'",
                { LastTime: null } => "has no 'last_time'",
                _ when attack.LastTime < attack.FirstTime => "has 'last_time' before 'first_time'",
                _ => null,
            };
            if (problem is not null)
            {
                throw new WallarmMalformedResponseException($"Wallarm incident page {page} for window {window}: record {i} {problem}.");
            }

            attacks.Add(attack!);
        }

        return attacks;
    }

    private static void WriteIncidentFilter(Utf8JsonWriter w, long clientId, TimeWindow window)
    {
        w.WriteStartObject("filter");
        w.WriteStartArray("clientid");
        w.WriteNumberValue(clientId);
        w.WriteEndArray();
        w.WriteNull("!vulnid");
        w.WriteStartArray("time");
        w.WriteStartArray();
        w.WriteNumberValue(window.From.ToUnixTimeSeconds());
        w.WriteNumberValue(window.To.ToUnixTimeSeconds());
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private async Task<WallarmEnvelope<T>> PostAsync<T>(string path, Action<Utf8JsonWriter> writeBody, JsonTypeInfo<WallarmEnvelope<T>> typeInfo, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeBody(writer);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(buffer.WrittenSpan.ToArray())
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation(TokenHeader, _options.ApiToken);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new WallarmAuthenticationException(status, "/" + path);
        }

        if (!response.IsSuccessStatusCode)
        {
            var text = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
            throw new WallarmApiException(status, "/" + path, text);
        }

        WallarmEnvelope<T>? envelope;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            envelope = await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new WallarmMalformedResponseException($"Wallarm /{path} returned invalid JSON ({Redact(ex.Message)}).", ex);
        }

        if (envelope is null)
        {
            throw new WallarmMalformedResponseException($"Wallarm /{path} returned a JSON null instead of the {{status, body}} envelope.");
        }

        if (envelope.Status is 401 or 403)
        {
            throw new WallarmAuthenticationException((int)envelope.Status.Value, "/" + path);
        }

        if (envelope.Status is >= 400)
        {
            throw new WallarmApiException((int)envelope.Status.Value, "/" + path, "the response envelope reports an error");
        }

        return envelope;
    }

    private async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = text.Length > MaxErrorDetail ? text[..MaxErrorDetail] + "…" : text;
            var sb = new StringBuilder(text.Length);
            foreach (var c in text) sb.Append(char.IsControl(c) ? ' ' : c);
            return Redact(sb.ToString());
        }
        catch (HttpRequestException)
        {
            return "(no readable body)";
        }
    }

    /// <summary>Belt and braces: an error body or parser message that echoes the token must not carry it into logs.</summary>
    private string Redact(string text)
        => string.IsNullOrEmpty(_options.ApiToken) ? text : text.Replace(_options.ApiToken, "[redacted]", StringComparison.Ordinal);
}
