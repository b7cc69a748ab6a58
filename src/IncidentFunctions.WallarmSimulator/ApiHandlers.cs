using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>The handlers behind the API routes: what each answers, from the query, the data and the paging position.</summary>
internal static class ApiHandlers
{
    private const int CursorPageSize = 100;

    public static Task UserAsync(HttpContext ctx, SimulatorState state, ApiRequest request)
        => SimulatorWire.WriteJsonAsync(ctx, 200, w => SimulatorWire.WriteUser(w, state.Options));

    /// <summary><c>/v1/objects/attack</c> (offset paging) and <c>/v2/objects/attack</c> (cursor paging).</summary>
    public static async Task AttacksAsync(HttpContext ctx, SimulatorState state, ApiRequest request, bool cursorMode)
    {
        if (await ParseQueryAsync(ctx, state, request.Body) is not { } query) return;

        var fault = request.Fault;
        long now;
        int offset, pageNumber, limit;
        if (cursorMode)
        {
            if (!query.Paging)
            {
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 400, "paging must be true for cursor reads");
                return;
            }

            limit = Math.Min(query.Limit <= 0 ? CursorPageSize : query.Limit, CursorPageSize);
            if (query.Cursor is null)
            {
                now = state.AdvanceForListRequest();
                offset = 0;
                pageNumber = 0;
            }
            else if (PageCursor.TryDecode(query.Cursor, out var cursor) && cursor.Query == PageCursor.Hash(query.Canonical))
            {
                // A cursor reads the snapshot its first page saw, so pages stay consistent while data changes.
                now = cursor.Now;
                offset = cursor.Offset;
                pageNumber = cursor.Page;
            }
            else
            {
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 400, "Invalid cursor");
                return;
            }
        }
        else
        {
            limit = query.Limit;
            offset = query.Offset;
            if (state.Options.MaxResultWindow > 0 && offset + limit > state.Options.MaxResultWindow)
            {
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 400, string.Create(CultureInfo.InvariantCulture,
                    $"Result window is too large, offset + limit must be less than or equal to: [{state.Options.MaxResultWindow}] but was [{offset + limit}]"));
                return;
            }

            now = state.AdvanceForListRequest();
            pageNumber = limit > 0 ? offset / limit : 0;
        }

        var all = AttackSelection.Select(state, query, now);
        all.RemoveAll(a => state.Corruptions.For(a.AttackId, isAttack: true).Any(r => r.Kind == CorruptionKind.Unlisted));
        var page = fault?.Kind == FaultKind.EmptyPage ? [] : all.Skip(offset).Take(limit).ToList();
        if (page.Any(a => state.Corruptions.For(a.AttackId, isAttack: true).Any(r => r.Kind == CorruptionKind.FailsAnswer)))
        {
            await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 500, "Internal Server Error");
            return;
        }

        var nextOffset = offset + limit;
        string? nextCursor = cursorMode && nextOffset < all.Count
            ? new PageCursor(nextOffset, now, pageNumber + 1, PageCursor.Hash(query.Canonical)).Encode()
            : null;
        var window = query.TimeRanges.Length == 1 ? query.TimeRanges[0] : (null, null);

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var cutAt = -1;
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("status", 200);
            w.WriteStartArray("body");
            foreach (var attack in page)
            {
                var broken = state.Corruptions.For(attack.AttackId, isAttack: true);
                if (cutAt < 0 && broken.Any(r => r.Kind == CorruptionKind.CutsAnswer))
                {
                    w.Flush();
                    cutAt = buffer.WrittenCount + 12;
                }

                SimulatorWire.WriteAttack(w, attack, now, window, broken);
            }

            w.WriteEndArray();
            if (cursorMode)
            {
                if (nextCursor is null) w.WriteNull("cursor");
                else w.WriteString("cursor", nextCursor);
            }

            w.WriteEndObject();
        }

        var bytes = buffer.WrittenMemory;
        if (fault?.Kind == FaultKind.TruncatedPage) bytes = bytes[..Math.Max(1, bytes.Length / 2)];
        if (cutAt >= 0) bytes = bytes[..Math.Min(cutAt, bytes.Length)];
        await SimulatorWire.WriteBytesAsync(ctx, 200, bytes);
    }

    public static async Task CountAsync(HttpContext ctx, SimulatorState state, ApiRequest request)
    {
        if (await ParseQueryAsync(ctx, state, request.Body) is not { } query) return;

        var now = state.NowUnix;
        var matches = AttackSelection.Select(state, query, now);
        await SimulatorWire.WriteJsonAsync(ctx, 200, w => SimulatorWire.WriteCount(w, matches, now));
    }

    public static async Task VulnerabilitiesAsync(HttpContext ctx, SimulatorState state, ApiRequest request)
    {
        var body = request.Body;
        var filter = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("filter", out var f) ? f : default;
        long[]? ids = null;
        if (filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty("id", out var idElement))
        {
            ids = idElement.ValueKind switch
            {
                JsonValueKind.Array => idElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetInt64()).ToArray(),
                JsonValueKind.Number => [idElement.GetInt64()],
                _ => null,
            };
        }

        var limit = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("limit", out var l) && l.TryGetInt32(out var li) ? Math.Min(li, 1000) : 100;
        var offset = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("offset", out var o) && o.TryGetInt32(out var oi) ? oi : 0;
        var vulns = state.Data.Vulnerabilities.Where(v => ids is null || ids.Contains(v.Id)).OrderBy(v => v.Id).Skip(offset).Take(limit);
        var buffer = new ArrayBufferWriter<byte>(4 * 1024);
        var cutAt = -1;
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("status", 200);
            w.WriteStartArray("body");
            foreach (var v in vulns)
            {
                var broken = state.Corruptions.For(v.Id.ToString(CultureInfo.InvariantCulture), isAttack: false);
                if (cutAt < 0 && broken.Any(r => r.Kind == CorruptionKind.CutsAnswer))
                {
                    w.Flush();
                    cutAt = buffer.WrittenCount + 12;
                }

                SimulatorWire.WriteVulnerability(w, v, state.Options.ClientId, broken);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        var bytes = buffer.WrittenMemory;
        if (cutAt >= 0) bytes = bytes[..Math.Min(cutAt, bytes.Length)];
        if (request.Fault?.Kind == FaultKind.TruncatedPage) bytes = bytes[..Math.Max(1, bytes.Length / 2)];
        await SimulatorWire.WriteBytesAsync(ctx, 200, bytes);
    }

    /// <summary>The request's query, or null after answering 400 (bad filter) or 403 (another tenant), as the API does.</summary>
    private static async Task<SimQuery?> ParseQueryAsync(HttpContext ctx, SimulatorState state, JsonElement body)
    {
        var query = SimQuery.Parse(body, out var error);
        if (error is not null)
        {
            await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 400, error);
            return null;
        }

        if (query.ClientIds is null || !query.ClientIds.Contains(state.Options.ClientId))
        {
            await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 403, "Access denied to the requested client");
            return null;
        }

        return query;
    }
}
