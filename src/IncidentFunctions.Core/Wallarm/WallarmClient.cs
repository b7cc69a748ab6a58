using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Wallarm;

/// <summary>
/// One page of incidents as the API returned it: the records that could be read, and the ones set aside (see
/// <see cref="WallarmRecordReader"/>) with the reason. A page lists each record in exactly one of the two, except the
/// <paramref name="Broken"/> ones: listed, but every answer holding them broke, so they were skipped unread.
/// </summary>
public sealed record WallarmAttackPage(int PageNumber, IReadOnlyList<WallarmAttack> Attacks, IReadOnlyList<WallarmRejectedRecord> Rejected, int Broken = 0)
{
    public int Records => Attacks.Count + Rejected.Count;
}

/// <summary>What <c>/v1/objects/vuln</c> answered for a set of ids: the readable records, and any it could not read.</summary>
public sealed record WallarmVulnerabilityAnswer(IReadOnlyList<WallarmVulnerability> Vulnerabilities, IReadOnlyList<string> Unreadable);

/// <summary>
/// Typed client for the legacy Wallarm objects API. Retries (429, 5xx, timeouts, honouring Retry-After) live in the
/// resilience handler registered with it; this class turns answers into data or into clear exceptions. Records are
/// read one by one, so one unreadable record is set aside without failing its page; only an answer that is not JSON
/// or is cut off fails (after <see cref="MalformedPageAttempts"/> tries for incident pages and counts).
/// </summary>
public sealed class WallarmClient(HttpClient http, IOptions<WallarmOptions> options, TimeProvider time, ILogger<WallarmClient> logger)
{
    public const string TokenHeader = "X-WallarmAPI-Token";
    public const string HttpClientName = "Wallarm";

    /// <summary>Set on a request the resilience pipeline must not retry when it is answered 500 (see <see cref="BreaksOnARecord"/>).</summary>
    internal static readonly HttpRequestOptionsKey<bool> NoRetryOn500 = new("IncidentFunctions.Wallarm.NoRetryOn500");

    /// <summary>A cut-off or non-JSON answer is usually a proxy or connection glitch: read the same page this many times in all.</summary>
    public const int MalformedPageAttempts = 3;

    /// <summary>Answers are read whole (a page is parsed record by record); beyond this the page size is far too large.</summary>
    internal const int MaxAnswerBytes = 128 * 1024 * 1024;

    private const int MaxErrorDetail = 300;
    private const int MaxConsecutiveEmptyCursorPages = 20;

    /// <summary>Records a page read in parts may skip before its answer counts as broken whatever it holds.</summary>
    private const int MaxBadRecordsPerPage = 3;

    private readonly WallarmOptions _options = options.Value;

    /// <summary>The caller's tenant id from <c>POST /v1/user</c>.</summary>
    public async Task<long> GetClientIdAsync(CancellationToken cancellationToken = default)
    {
        var envelope = await PostTypedAsync("v1/user", static w => { w.WriteStartObject(); w.WriteEndObject(); },
            WallarmJsonContext.Default.WallarmEnvelopeWallarmUser, cancellationToken).ConfigureAwait(false);
        var clientId = envelope.Body?.ClientId
            ?? throw new WallarmMalformedResponseException("Wallarm /v1/user answered without body.client_id; set 'Wallarm__ClientId' to the tenant id explicitly.");
        WallarmLog.TenantDiscovered(logger, clientId);
        return clientId;
    }

    /// <summary>Incidents (attacks with a vulnerability) the API matches to <paramref name="window"/>, newest last hit first.</summary>
    /// <remarks>Each page is yielded before the next is requested, so a caller stores a page before paging on.</remarks>
    public IAsyncEnumerable<WallarmAttackPage> GetIncidentPagesAsync(long clientId, TimeWindow window, CancellationToken cancellationToken = default)
        => _options.Paging == WallarmPaging.Cursor
            ? GetCursorPagesAsync(clientId, window, cancellationToken)
            : GetOffsetPagesAsync(clientId, window, cancellationToken);

    /// <summary>
    /// The current state of the given incidents, read by id (<c>attackid</c> filter), <see cref="WallarmOptions.PageSize"/>
    /// ids per request. <paramref name="firstHitSince"/> (the earliest first hit among them) is sent as an open-ended
    /// <c>time</c> filter that matches them whatever the filter means: span overlap, first hit, or a hit inside.
    /// </summary>
    public async IAsyncEnumerable<WallarmAttackPage> GetIncidentsByIdAsync(long clientId, IReadOnlyList<string> ids, DateTimeOffset firstHitSince, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = 0;
        foreach (var chunk in ids.Chunk(_options.PageSize))
        {
            WallarmAttackPage result;
            try
            {
                result = await ReadByIdAsync(clientId, chunk, firstHitSince, page, MalformedPageAttempts, cancellationToken).ConfigureAwait(false);
            }
            catch (WallarmException failure) when (BreaksOnARecord(failure))
            {
                result = await ReadByIdInPartsAsync(clientId, chunk, firstHitSince, page, failure, cancellationToken).ConfigureAwait(false);
            }

            WallarmLog.IncidentsReadById(logger, result.Records, chunk.Length);
            yield return result;
            page++;
        }
    }

    /// <summary>
    /// The ids of an answer that keeps breaking, asked in parts (<see cref="ReadHalvingAsync"/>): an id whose answer
    /// always breaks is skipped, not returned.
    /// </summary>
    private async Task<WallarmAttackPage> ReadByIdInPartsAsync(long clientId, string[] ids, DateTimeOffset firstHitSince, int page, WallarmException failure, CancellationToken cancellationToken)
    {
        var attacks = new List<WallarmAttack>();
        var rejected = new List<WallarmRejectedRecord>();
        var skipped = await ReadHalvingAsync(ids.Length, async (from, length) =>
        {
            var part = await ReadByIdAsync(clientId, ids[from..(from + length)], firstHitSince, page, attempts: 1, cancellationToken).ConfigureAwait(false);
            attacks.AddRange(part.Attacks);
            rejected.AddRange(part.Rejected);
            return true;
        }, failure).ConfigureAwait(false);
        foreach (var (at, partFailure) in skipped) WallarmLog.RecordSkippedById(logger, ids[at], partFailure);
        return new WallarmAttackPage(page, attacks, rejected, skipped.Count);
    }

    private async Task<WallarmAttackPage> ReadByIdAsync(long clientId, string[] chunk, DateTimeOffset firstHitSince, int page, int attempts, CancellationToken cancellationToken)
        => (await ReadAttackPageAsync("v1/objects/attack", w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("filter");
                w.WriteStartArray("clientid");
                w.WriteNumberValue(clientId);
                w.WriteEndArray();
                w.WriteNull("!vulnid");
                w.WriteStartArray("attackid");
                foreach (var id in chunk) w.WriteStringValue(id);
                w.WriteEndArray();
                w.WriteStartArray("time");
                w.WriteStartArray();
                w.WriteNumberValue(firstHitSince.ToUnixTimeSeconds());
                w.WriteNullValue();
                w.WriteEndArray();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteNumber("offset", 0);
                w.WriteNumber("limit", chunk.Length);
                w.WriteString("order_by", "last_time");
                w.WriteBoolean("order_desc", true);
                w.WriteEndObject();
            }, page, cancellationToken, attempts).ConfigureAwait(false)).Page;

    /// <summary>Number of incidents the API matches to <paramref name="window"/>.</summary>
    public async Task<long> CountIncidentsAsync(long clientId, TimeWindow window, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var envelope = await PostTypedAsync("v1/objects/attack/count", w =>
                {
                    w.WriteStartObject();
                    WriteIncidentFilter(w, clientId, window);
                    w.WriteEndObject();
                }, WallarmJsonContext.Default.WallarmEnvelopeWallarmAttackCount, cancellationToken).ConfigureAwait(false);

                return envelope.Body?.Attacks
                    ?? throw new WallarmMalformedResponseException($"Wallarm /v1/objects/attack/count answered without body.attacks for window {window}.");
            }
            catch (WallarmMalformedResponseException ex) when (attempt < MalformedPageAttempts)
            {
                WallarmLog.MalformedAnswerRetried(logger, ex, "/v1/objects/attack/count", attempt, MalformedPageAttempts);
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The vulnerabilities (security issues) with the given ids. Unknown ids are simply absent; unreadable records are listed.</summary>
    public async Task<WallarmVulnerabilityAnswer> GetVulnerabilitiesAsync(long clientId, IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return new WallarmVulnerabilityAnswer([], []);
        if (ids.Count > 1000) throw new ArgumentOutOfRangeException(nameof(ids), "At most 1,000 ids per request.");

        var answer = await ReadEnvelopeAsync("v1/objects/vuln", w =>
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
        }, cancellationToken).ConfigureAwait(false);

        try
        {
            var envelope = answer.Envelope;
            if (!envelope.BodyIsArray) throw new WallarmMalformedResponseException("Wallarm /v1/objects/vuln answered without a body array.");
            var json = answer.Json.Span;
            var found = new List<WallarmVulnerability>(envelope.Elements.Count);
            var unreadable = new List<string>();
            foreach (var range in envelope.Elements)
            {
                if (WallarmRecordReader.ReadVulnerability(json[range], out var problem) is { } vuln) found.Add(vuln);
                else unreadable.Add(problem!);
            }

            WallarmLog.VulnerabilitiesFetched(logger, found.Count, ids.Count);
            return new WallarmVulnerabilityAnswer(found, unreadable);
        }
        finally
        {
            answer.Return();
        }
    }

    private async IAsyncEnumerable<WallarmAttackPage> GetOffsetPagesAsync(long clientId, TimeWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var limit = _options.PageSize;
        for (int offset = 0, page = 0; ; offset += limit, page++)
        {
            WallarmAttackPage result;
            int listed;
            try
            {
                result = await ReadOffsetPageAsync(clientId, window, offset, limit, page, MalformedPageAttempts, cancellationToken).ConfigureAwait(false);
                listed = result.Records;
            }
            catch (WallarmException failure) when (BreaksOnARecord(failure))
            {
                (result, listed) = await ReadInPartsAsync(clientId, window, offset, limit, page, failure, cancellationToken).ConfigureAwait(false);
            }

            var records = result.Records;
            WallarmLog.PageFetched(logger, page, records, window.From, window.To);
            if (records > 0) yield return result;
            if (listed < limit) yield break;
        }
    }

    private async Task<WallarmAttackPage> ReadOffsetPageAsync(long clientId, TimeWindow window, int offset, int limit, int page, int attempts, CancellationToken cancellationToken)
        => (await ReadAttackPageAsync("v1/objects/attack", w =>
        {
            w.WriteStartObject();
            WriteIncidentFilter(w, clientId, window);
            w.WriteNumber("offset", offset);
            w.WriteNumber("limit", limit);
            w.WriteString("order_by", "last_time");
            w.WriteBoolean("order_desc", true);
            w.WriteEndObject();
        }, page, cancellationToken, attempts).ConfigureAwait(false)).Page;

    /// <summary>
    /// A page whose answer keeps breaking, read in parts (<see cref="ReadHalvingAsync"/>): a record that breaks every
    /// answer holding it is skipped, and the window's count then shows one missing, which the puller handles like any
    /// record counted but not listed. Returns what was read and how many positions were listed (read or skipped).
    /// </summary>
    private async Task<(WallarmAttackPage Page, int Listed)> ReadInPartsAsync(long clientId, TimeWindow window, int offset, int limit, int page, WallarmException failure, CancellationToken cancellationToken)
    {
        WallarmLog.PageReadInParts(logger, page, window, FailureText.Describe(failure));
        var attacks = new List<WallarmAttack>();
        var rejected = new List<WallarmRejectedRecord>();
        var read = 0;
        var skipped = await ReadHalvingAsync(limit, async (from, length) =>
        {
            var part = await ReadOffsetPageAsync(clientId, window, offset + from, length, page, attempts: 1, cancellationToken).ConfigureAwait(false);
            // Parts number their records from their own start; the rejects keep that index only as a label.
            attacks.AddRange(part.Attacks);
            rejected.AddRange(part.Rejected);
            read += part.Records;
            return part.Records == length;
        }, failure).ConfigureAwait(false);
        foreach (var (at, partFailure) in skipped) WallarmLog.RecordSkipped(logger, offset + at, window, partFailure);
        return (new WallarmAttackPage(page, attacks, rejected, skipped.Count), read + skipped.Count);
    }

    /// <summary>
    /// Whether <paramref name="failure"/> is how an answer fails when one record in it cannot be sent: cut off or not
    /// JSON, or a 500 (Wallarm failing to serialise it). Not 429, 502–504 or timeouts: those say nothing about the records.
    /// </summary>
    private static bool BreaksOnARecord(WallarmException failure)
        => failure is WallarmMalformedResponseException or WallarmApiException { StatusCode: 500 };

    /// <summary>
    /// Reads positions 0 to <paramref name="length"/> of an answer that kept breaking in halves, each part asked once
    /// (<paramref name="readPart"/>: true when the part was full, so the answer goes on past it), down to single
    /// positions, which are skipped: one record Wallarm fails to serialise then costs that record, not every run. When
    /// more parts fail before any reads than <see cref="MaxBadRecordsPerPage"/> bad records explain, the answer is broken
    /// whatever it holds, and it fails as <paramref name="failure"/> did. Once a part has read, failures are records
    /// (a payload that breaks Wallarm's serialiser can come in many incidents at once): each costs at most one failed
    /// part per level. Returns the skipped positions, for the caller to log once the answer is through (when every
    /// part breaks, none was a bad record).
    /// </summary>
    private static async Task<List<(int Position, string Failure)>> ReadHalvingAsync(int length, Func<int, int, Task<bool>> readPart, WallarmException failure)
    {
        var skipped = new List<(int, string)>();
        // Each bad record costs one failed part per halving.
        var failuresLeft = MaxBadRecordsPerPage * (BitOperations.Log2((uint)length) + 2);
        var anyRead = false;

        // The whole range has failed already (with its attempts): its halves are next.
        async Task<bool> HalvesAsync(int from, int count, WallarmException whyNot)
        {
            if (count > 1) return await ReadAsync(from, count / 2).ConfigureAwait(false) && await ReadAsync(from + count / 2, count - count / 2).ConfigureAwait(false);
            skipped.Add((from, FailureText.Describe(whyNot)));
            return true;
        }

        async Task<bool> ReadAsync(int from, int count)
        {
            try
            {
                var full = await readPart(from, count).ConfigureAwait(false);
                anyRead = true;
                return full;
            }
            catch (WallarmException partFailure) when (BreaksOnARecord(partFailure))
            {
                if (--failuresLeft < 0 && !anyRead)
                {
                    // Broken whatever it holds: fails as the whole did (a 500 stays an API failure, with its status).
                    if (failure is WallarmApiException) throw failure;
                    throw new WallarmMalformedResponseException($"{failure.Message} Read in parts, more parts failed than {MaxBadRecordsPerPage} bad records explain.", failure);
                }

                return await HalvesAsync(from, count, partFailure).ConfigureAwait(false);
            }
        }

        await HalvesAsync(0, length, failure).ConfigureAwait(false);
        return skipped;
    }

    private async IAsyncEnumerable<WallarmAttackPage> GetCursorPagesAsync(long clientId, TimeWindow window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        var emptyInARow = 0;
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 0; ; page++)
        {
            var requestCursor = cursor;
            var result = await ReadAttackPageAsync("v2/objects/attack", w =>
            {
                w.WriteStartObject();
                WriteIncidentFilter(w, clientId, window);
                w.WriteNumber("limit", _options.PageSize);
                w.WriteString("order_by", "last_time");
                w.WriteBoolean("order_desc", true);
                w.WriteBoolean("paging", true);
                if (requestCursor is not null) w.WriteString("cursor", requestCursor);
                w.WriteEndObject();
            }, page, cancellationToken).ConfigureAwait(false);

            var records = result.Page.Records;
            WallarmLog.PageFetched(logger, page, records, window.From, window.To);

            // Yield the page before looking at the cursor: the last page carries data and no cursor.
            if (records > 0) yield return result.Page;

            cursor = string.IsNullOrEmpty(result.Cursor) ? null : result.Cursor;
            if (cursor is null) yield break;
            if (!seenCursors.Add(cursor))
            {
                throw new WallarmMalformedResponseException($"Wallarm returned the same cursor twice (page {page}, window {window}); stopping to avoid an endless loop.");
            }

            if (records == 0)
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

    /// <summary>One page of attack records, asked again when the answer is cut off or not JSON.</summary>
    private async Task<(WallarmAttackPage Page, string? Cursor)> ReadAttackPageAsync(string path, Action<Utf8JsonWriter> writeBody, int page, CancellationToken cancellationToken, int attempts = MalformedPageAttempts)
    {
        for (var attempt = 1; ; attempt++)
        {
            RawEnvelope answer;
            try
            {
                // A part (asked once) is not retried on a 500 either: it says the part holds a record that breaks it.
                answer = await ReadEnvelopeAsync(path, writeBody, cancellationToken, singleAttempt: attempts == 1).ConfigureAwait(false);
            }
            catch (WallarmMalformedResponseException ex) when (attempt < attempts)
            {
                WallarmLog.MalformedAnswerRetried(logger, ex, "/" + path, attempt, attempts);
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                if (!answer.Envelope.BodyIsArray)
                {
                    throw new WallarmMalformedResponseException($"Wallarm /{path} page {page} has no body array.");
                }

                var decoded = DecodeAttacks(page, answer.Json.Span, answer.Envelope, answer.RepairOffsets, time.GetUtcNow().ToUnixTimeSeconds());
                foreach (var reject in decoded.Rejected) WallarmLog.RecordRejected(logger, page, reject.Index, reject.Reason);
                return (decoded, answer.Envelope.Cursor);
            }
            finally
            {
                answer.Return();
            }
        }
    }

    /// <summary>Reads each element of a scanned page on its own: readable attacks, and the records set aside.</summary>
    /// <param name="repairs">Offsets (ascending) where <see cref="WallarmJsonRepair"/> changed the text: the records there are flagged.</param>
    internal static WallarmAttackPage DecodeAttacks(int page, ReadOnlySpan<byte> json, ScannedEnvelope envelope, IReadOnlyList<int> repairs, long nowUnix)
    {
        var elements = envelope.Elements;
        var attacks = new List<WallarmAttack>(elements.Count);
        List<WallarmRejectedRecord>? rejected = null;
        var nextRepair = 0;
        for (var i = 0; i < elements.Count; i++)
        {
            var (start, end) = (elements[i].Start.Value, elements[i].End.Value);
            while (nextRepair < repairs.Count && repairs[nextRepair] < start) nextRepair++;
            var repaired = nextRepair < repairs.Count && repairs[nextRepair] < end;
            if (WallarmRecordReader.ReadAttack(json[start..end], i, repaired, nowUnix, out var reject) is { } attack) attacks.Add(attack);
            else (rejected ??= []).Add(reject!);
        }

        return new WallarmAttackPage(page, attacks, rejected ?? (IReadOnlyList<WallarmRejectedRecord>)[]);
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

    private Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Min(_options.RetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks * (1L << Math.Min(attempt - 1, 16))));
        return Task.Delay(delay, cancellationToken);
    }

    /// <summary>A small answer (user, count) read whole with System.Text.Json, after the same text repair as pages.</summary>
    private async Task<WallarmEnvelope<T>> PostTypedAsync<T>(string path, Action<Utf8JsonWriter> writeBody, JsonTypeInfo<WallarmEnvelope<T>> typeInfo, CancellationToken cancellationToken)
    {
        var answer = await ReadEnvelopeAsync(path, writeBody, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(answer.Json.Span, typeInfo)
                ?? throw new WallarmMalformedResponseException($"Wallarm /{path} returned a JSON null instead of the {{status, body}} envelope.");
        }
        catch (JsonException ex)
        {
            throw new WallarmMalformedResponseException($"Wallarm /{path} returned an answer of the wrong shape ({Redact(ex.Message)}).", ex);
        }
        finally
        {
            answer.Return();
        }
    }

    /// <summary>
    /// Sends the request and reads the whole answer: HTTP and envelope errors become exceptions; the text is repaired
    /// (<see cref="WallarmJsonRepair"/>) and the envelope located (<see cref="WallarmEnvelopeScanner"/>).
    /// The caller must <see cref="RawEnvelope.Return"/> the buffer.
    /// </summary>
    private async Task<RawEnvelope> ReadEnvelopeAsync(string path, Action<Utf8JsonWriter> writeBody, CancellationToken cancellationToken, bool singleAttempt = false)
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
        if (singleAttempt) request.Options.Set(NoRetryOn500, true);

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

        var (bytes, length) = await ReadAllAsync(response, path, cancellationToken).ConfigureAwait(false);
        var handedOver = false;
        try
        {
            var repaired = WallarmJsonRepair.Repair(bytes.AsMemory(0, length));
            ScannedEnvelope envelope;
            try
            {
                envelope = WallarmEnvelopeScanner.Scan(repaired.Json);
            }
            catch (FormatException ex)
            {
                throw new WallarmMalformedResponseException(
                    $"Wallarm /{path} returned invalid JSON: {ex.Message} (starts with \"{Redact(WallarmEnvelopeScanner.Preview(repaired.Json.Span))}\").", ex);
            }

            if (envelope.Status is 401 or 403)
            {
                throw new WallarmAuthenticationException((int)envelope.Status.Value, "/" + path);
            }

            if (envelope.Status is >= 400)
            {
                throw new WallarmApiException((int)envelope.Status.Value, "/" + path, "the response envelope reports an error");
            }

            handedOver = true;
            return new RawEnvelope(bytes, repaired.Json, repaired.RepairOffsets, envelope);
        }
        finally
        {
            if (!handedOver) ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The answer's bytes in a pooled buffer; a connection that drops mid-answer is a cut-off answer.</summary>
    private static async Task<(byte[] Bytes, int Length)> ReadAllAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > MaxAnswerBytes) throw TooLarge(path);
        var bytes = ArrayPool<byte>.Shared.Rent(declared is > 0 and <= MaxAnswerBytes ? (int)declared.Value : 64 * 1024);
        var length = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                if (length == bytes.Length)
                {
                    if (bytes.Length >= MaxAnswerBytes) throw TooLarge(path);
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(MaxAnswerBytes, (long)bytes.Length * 2));
                    bytes.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(bytes);
                    bytes = larger;
                }

                var read = await stream.ReadAsync(bytes.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }

            return (bytes, length);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw new WallarmMalformedResponseException($"Wallarm /{path}: the connection dropped while the answer was read ({ex.GetType().Name}); the answer is cut off.", ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw;
        }
    }

    private static WallarmMalformedResponseException TooLarge(string path)
        => new($"Wallarm /{path} answered with more than {MaxAnswerBytes / (1024 * 1024)} MiB; lower 'Wallarm__PageSize'.");

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

    /// <summary>An answer read whole: the pooled buffer it arrived in, its repaired text and its envelope.</summary>
    private readonly record struct RawEnvelope(byte[] Buffer, ReadOnlyMemory<byte> Json, IReadOnlyList<int> RepairOffsets, ScannedEnvelope Envelope)
    {
        public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
    }
}
