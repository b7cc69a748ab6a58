using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>Everything one simulator instance serves from: data, clock, faults and the request log.</summary>
public sealed class SimulatorState(SimulatorOptions options, TimeProvider time)
{
    public SimulatorOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public IncidentGenerator Data { get; } = new(options);

    public SimulatorFaults Faults { get; } = new();

    public RequestLog Requests { get; } = new();

    internal ConcurrentDictionary<string, List<SimAttack>> QueryCache { get; } = new(StringComparer.Ordinal);

    public long NowUnix => Time.GetUtcNow().ToUnixTimeSeconds();
}

/// <summary>The Wallarm API routes the product uses, in the real wire format: the <c>{"status","body"}</c> envelope.</summary>
public static class SimulatorEndpoints
{
    public const string AdminPrefix = "/__simulator";
    private const int CursorPageSize = 100;

    public static IEndpointRouteBuilder MapWallarmSimulator(this IEndpointRouteBuilder endpoints, SimulatorState state)
    {
        endpoints.MapPost("/v1/user", ctx => Handle(ctx, state, "user", static (ctx, state, _) => WriteUserAsync(ctx, state)));
        endpoints.MapPost("/v1/objects/attack", ctx => Handle(ctx, state, "attack", (ctx, state, body) => WriteAttacksAsync(ctx, state, body, cursorMode: false)));
        endpoints.MapPost("/v2/objects/attack", ctx => Handle(ctx, state, "attack", (ctx, state, body) => WriteAttacksAsync(ctx, state, body, cursorMode: true)));
        endpoints.MapPost("/v1/objects/attack/count", ctx => Handle(ctx, state, "count", WriteCountAsync));
        endpoints.MapPost("/v1/objects/vuln", ctx => Handle(ctx, state, "vuln", WriteVulnerabilitiesAsync));
        endpoints.MapIntelFeeds(state);

        endpoints.MapGet(AdminPrefix + "/info", (HttpContext _) => Results.Json(new
        {
            seed = state.Options.Seed,
            incidentsPerDay = state.Options.IncidentsPerDay,
            clientId = state.Options.ClientId,
            now = state.Time.GetUtcNow(),
            faults = state.Faults.Armed,
        }));
        endpoints.MapPost(AdminPrefix + "/faults", async (HttpContext ctx) =>
        {
            FaultRule? rule;
            try
            {
                rule = await JsonSerializer.DeserializeAsync<FaultRule>(ctx.Request.Body, JsonSerializerOptions.Web, ctx.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { error = "Not a fault rule: " + ex.Message });
            }

            if (rule is null) return Results.BadRequest(new { error = "Not a fault rule: the body is null." });
            state.Faults.Add(rule);
            return Results.Json(state.Faults.Armed);
        });
        endpoints.MapDelete(AdminPrefix + "/faults", () =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });
        return endpoints;
    }

    private delegate Task Handler(HttpContext context, SimulatorState state, JsonElement body);

    private static async Task Handle(HttpContext ctx, SimulatorState state, string endpoint, Handler handler)
    {
        string raw;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
        {
            raw = await reader.ReadToEndAsync(ctx.RequestAborted);
        }

        var token = ctx.Request.Headers["X-WallarmAPI-Token"].ToString();
        var validToken = token.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(state.Options.ApiToken));
        try
        {
            if (!validToken)
            {
                await WriteEnvelopeErrorAsync(ctx, 401, "Unauthorized");
                return;
            }

            JsonElement body;
            try
            {
                body = string.IsNullOrWhiteSpace(raw) ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(raw).RootElement;
            }
            catch (JsonException)
            {
                await WriteEnvelopeErrorAsync(ctx, 400, "Request body is not valid JSON");
                return;
            }

            ctx.Items["page"] = PageOf(body);
            var fault = state.Faults.Next(endpoint, ctx.Items["page"] as int?);
            ctx.Items["fault"] = fault;
            switch (fault?.Kind)
            {
                case FaultKind.RateLimit:
                    ctx.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    await WriteEnvelopeErrorAsync(ctx, 429, "Too Many Requests");
                    return;
                case FaultKind.ServerError:
                    await WriteEnvelopeErrorAsync(ctx, 500, "Internal Server Error");
                    return;
                case FaultKind.Timeout:
                    await Task.Delay(TimeSpan.FromSeconds(fault.DelaySeconds), ctx.RequestAborted);
                    await WriteEnvelopeErrorAsync(ctx, 504, "Gateway Timeout");
                    return;
                case FaultKind.MalformedJson:
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.WriteAsync("{\"status\":200,\"body\":[{\"id\": <html>Bad gateway</html>", ctx.RequestAborted);
                    return;
            }

            await handler(ctx, state, body);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout); nothing to answer.
        }
        finally
        {
            state.Requests.Add(new RecordedRequest(ctx.Request.Path.Value ?? "", raw, validToken, ctx.Response.StatusCode));
        }
    }

    private static int? PageOf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return null;
        if (body.TryGetProperty("cursor", out var c) && c.ValueKind == JsonValueKind.String && Cursor.TryDecode(c.GetString()!, out var cursor))
        {
            return cursor.Page;
        }

        if (body.TryGetProperty("paging", out var p) && p.ValueKind == JsonValueKind.True) return 0;
        var limit = body.TryGetProperty("limit", out var l) && l.TryGetInt32(out var li) && li > 0 ? li : 100;
        var offset = body.TryGetProperty("offset", out var o) && o.TryGetInt32(out var oi) ? oi : 0;
        return offset / limit;
    }

    private static Task WriteUserAsync(HttpContext ctx, SimulatorState state)
        => WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("status", 200);
            w.WriteStartObject("body");
            w.WriteNumber("id", 1);
            w.WriteString("uuid", "00000000-0000-4000-8000-000000000001");
            w.WriteNumber("client_id", state.Options.ClientId);
            w.WriteString("client_name", state.Options.ClientName);
            w.WriteString("realname", "Simulator User");
            w.WriteString("email", "analyst@example.com");
            w.WriteBoolean("enabled", true);
            w.WriteString("role", "analytic");
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private static async Task WriteAttacksAsync(HttpContext ctx, SimulatorState state, JsonElement body, bool cursorMode)
    {
        if (await ParseQueryAsync(ctx, state, body) is not { } query) return;

        var fault = ctx.Items["fault"] as FaultRule;
        long now;
        int offset, pageNumber, limit;
        if (cursorMode)
        {
            if (!query.Paging)
            {
                await WriteEnvelopeErrorAsync(ctx, 400, "paging must be true for cursor reads");
                return;
            }

            limit = Math.Min(query.Limit <= 0 ? CursorPageSize : query.Limit, CursorPageSize);
            if (query.Cursor is null)
            {
                now = state.NowUnix;
                offset = 0;
                pageNumber = 0;
            }
            else if (Cursor.TryDecode(query.Cursor, out var cursor) && cursor.Query == Hash(query.Canonical))
            {
                // A cursor reads the snapshot its first page saw, so pages stay consistent while data changes.
                now = cursor.Now;
                offset = cursor.Offset;
                pageNumber = cursor.Page;
            }
            else
            {
                await WriteEnvelopeErrorAsync(ctx, 400, "Invalid cursor");
                return;
            }
        }
        else
        {
            now = state.NowUnix;
            limit = query.Limit;
            offset = query.Offset;
            pageNumber = limit > 0 ? offset / limit : 0;
        }

        var all = Select(state, query, now);
        var page = fault?.Kind == FaultKind.EmptyPage ? [] : all.Skip(offset).Take(limit).ToList();
        var nextOffset = offset + limit;
        string? nextCursor = cursorMode && nextOffset < all.Count
            ? new Cursor(nextOffset, now, pageNumber + 1, Hash(query.Canonical)).Encode()
            : null;
        var window = query.TimeRanges.Length == 1 ? query.TimeRanges[0] : (null, null);

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("status", 200);
            w.WriteStartArray("body");
            foreach (var attack in page) WriteAttack(w, attack, now, window);
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
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    /// <summary>The request's query, or null after answering 400 (bad filter) or 403 (another tenant), as the API does.</summary>
    private static async Task<SimQuery?> ParseQueryAsync(HttpContext ctx, SimulatorState state, JsonElement body)
    {
        var query = SimQuery.Parse(body, out var error);
        if (error is not null)
        {
            await WriteEnvelopeErrorAsync(ctx, 400, error);
            return null;
        }

        if (query.ClientIds is null || !query.ClientIds.Contains(state.Options.ClientId))
        {
            await WriteEnvelopeErrorAsync(ctx, 403, "Access denied to the requested client");
            return null;
        }

        return query;
    }

    private static List<SimAttack> Select(SimulatorState state, SimQuery query, long now)
    {
        var key = query.Canonical + "@" + now.ToString(CultureInfo.InvariantCulture);
        if (state.QueryCache.TryGetValue(key, out var cached)) return cached;

        var (from, to) = Bounds(query);
        IEnumerable<SimAttack> matches = state.Data.ActiveIn(from, to, now).Where(a => query.Matches(a, now));
        Func<SimAttack, long> sortKey = query.OrderBy switch
        {
            "last_time" => a => a.LastTimeAt(now),
            "first_time" => a => a.FirstTime,
            "hits" or "hit_count" => a => a.HitsAt(now),
            "ip_count" => a => a.IpTopAt(now).Count,
            _ => a => a.LastTimeAt(now),
        };
        var ordered = query.OrderDesc
            ? matches.OrderByDescending(sortKey).ThenBy(a => a.AttackId, StringComparer.Ordinal)
            : matches.OrderBy(sortKey).ThenBy(a => a.AttackId, StringComparer.Ordinal);
        var list = ordered.ToList();
        if (state.QueryCache.Count > 32) state.QueryCache.Clear();
        state.QueryCache[key] = list;
        return list;
    }

    private static (long? From, long? To) Bounds(SimQuery query)
    {
        if (query.TimeRanges.Length == 0) return (null, null);
        long? from = query.TimeRanges.Any(t => t.From is null) ? null : query.TimeRanges.Min(t => t.From);
        long? to = query.TimeRanges.Any(t => t.To is null) ? null : query.TimeRanges.Max(t => t.To);
        return (from, to);
    }

    private static void WriteAttack(Utf8JsonWriter w, SimAttack a, long now, (long? From, long? To) window)
    {
        var view = a.ViewAt(now);
        var last = view.LastTime;
        var hits = view.Hits;
        var ipTop = view.IpTop;
        var fraction = 1.0;
        if (window.From is not null || window.To is not null)
        {
            var from = Math.Max(a.FirstTime, window.From ?? a.FirstTime);
            var to = Math.Min(last, window.To ?? last);
            fraction = last == a.FirstTime ? 1 : Math.Clamp((to - from) / (double)(last - a.FirstTime), 0, 1);
        }

        w.WriteStartObject();
        w.WriteStartArray("id");
        w.WriteStringValue(a.Index);
        w.WriteStringValue(a.DocId);
        w.WriteEndArray();
        w.WriteString("attackid", a.AttackId);
        w.WriteNumber("clientid", a.ClientId);
        w.WriteString("domain", a.Domain);
        w.WriteString("path", a.Path);
        w.WriteNumber("poolid", a.PoolId);
        w.WriteString("method", a.Method);
        w.WriteString("parameter", a.Parameter);
        w.WriteStartArray("point");
        foreach (var p in a.Point) w.WriteStringValue(p);
        w.WriteEndArray();
        w.WriteString("type", a.Type);
        w.WriteNumber("first_time", a.FirstTime);
        w.WriteNumber("last_time", last);
        if (a.HitsAsFloat)
        {
            w.WritePropertyName("hits");
            w.WriteRawValue(hits.ToString(CultureInfo.InvariantCulture) + ".0");
        }
        else
        {
            w.WriteNumber("hits", hits);
        }
        w.WriteNumber("hits_count_by_filter", Math.Max(1, (long)Math.Round(hits * fraction)));
        w.WriteNumber("ip_count", ipTop.Count);
        w.WriteNumber("ip_count_by_filter", ipTop.Count);
        w.WriteStartArray("ip_top");
        foreach (var (ip, count, country) in ipTop.Take(10))
        {
            w.WriteStartObject();
            w.WriteString("ip", ip);
            w.WriteNumber("count", count);
            if (country is null) w.WriteNull("country");
            else w.WriteString("country", country);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        var countries = view.Countries;
        w.WriteNumber("country_count", countries.Count);
        w.WriteStartArray("country_top");
        foreach (var (country, count) in countries)
        {
            w.WriteStartObject();
            w.WriteString("country", country);
            w.WriteNumber("count", count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("statuscodes");
        foreach (var code in a.StatusCodes) w.WriteNumberValue(code);
        w.WriteEndArray();
        if (a.VulnId is null) w.WriteNull("vulnid");
        else w.WriteNumber("vulnid", a.VulnId.Value);
        w.WriteStartArray("vulns");
        if (a.VulnId is not null) w.WriteNumberValue(a.VulnId.Value);
        w.WriteEndArray();
        w.WriteNumber("threat", a.Threat);
        w.WriteString("target", a.Target);
        w.WriteNull("experimental");
        w.WriteString("recheck_status", "unrecheckable");
        w.WriteNumber("vectors_count", a.Vectors);
        w.WriteNumber("vectors_count_by_filter", a.Vectors);
        w.WriteString("block_status", a.BlockStatus);
        if (a.State is null) w.WriteNull("state");
        else w.WriteString("state", a.State);
        w.WriteNull("anomality");
        w.WriteStartArray("datacenter");
        foreach (var provider in view.Datacenters) w.WriteStringValue(provider);
        w.WriteEndArray();
        if (view.Tor) w.WriteString("tor", "exit");
        else w.WriteNull("tor");
        w.WriteEndObject();
    }

    private static async Task WriteCountAsync(HttpContext ctx, SimulatorState state, JsonElement body)
    {
        if (await ParseQueryAsync(ctx, state, body) is not { } query) return;

        var now = state.NowUnix;
        var matches = Select(state, query, now);
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("status", 200);
            w.WriteStartObject("body");
            w.WriteNumber("attacks", matches.Count);
            // The real API sends hits as a float here (61818.0).
            w.WritePropertyName("hits");
            w.WriteRawValue(matches.Sum(a => a.ViewAt(now).Hits).ToString(CultureInfo.InvariantCulture) + ".0");
            w.WriteNumber("ips", matches.SelectMany(a => a.ViewAt(now).IpTop).Select(t => t.Ip).Distinct().Count());
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static async Task WriteVulnerabilitiesAsync(HttpContext ctx, SimulatorState state, JsonElement body)
    {
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
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("status", 200);
            w.WriteStartArray("body");
            foreach (var v in vulns)
            {
                w.WriteStartObject();
                w.WriteNumber("id", v.Id);
                w.WriteString("wid", v.Wid);
                w.WriteNumber("clientid", state.Options.ClientId);
                w.WriteString("status", v.Status);
                w.WriteString("type", v.Type);
                w.WriteNumber("threat", v.Threat);
                w.WriteString("target", v.Target);
                w.WriteString("title", v.Title);
                w.WriteString("description", $"{v.Title}. Found by passive detection.");
                w.WriteString("method", v.Method);
                w.WriteString("domain", v.Domain);
                w.WriteString("path", v.Path);
                w.WriteString("parameter", v.Parameter);
                w.WriteNumber("validate_time", v.ValidateTime);
                w.WriteNull("invalidate_time");
                w.WriteBoolean("validated", true);
                w.WriteBoolean("hidden", false);
                w.WriteString("detection_method", "passive");
                w.WriteNull("incidents");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task WriteEnvelopeErrorAsync(HttpContext ctx, int status, string message)
        => WriteJsonAsync(ctx, status, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("status", status);
            w.WriteString("body", message);
            w.WriteEndObject();
        });

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    private readonly record struct Cursor(int Offset, long Now, int Page, string Query)
    {
        public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Offset}|{Now}|{Page}|{Query}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static bool TryDecode(string text, out Cursor cursor)
        {
            cursor = default;
            try
            {
                var padded = text.Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
                if (parts.Length != 4) return false;
                cursor = new Cursor(int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
