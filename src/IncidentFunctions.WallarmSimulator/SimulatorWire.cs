using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>
/// The Wallarm wire format, written independently of the product's parser: the <c>{"status","body"}</c> envelope and
/// the user, attack, count and vulnerability objects.
/// </summary>
internal static class SimulatorWire
{
    public static Task WriteEnvelopeErrorAsync(HttpContext ctx, int status, string message)
        => WriteJsonAsync(ctx, status, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("status", status);
            w.WriteString("body", message);
            w.WriteEndObject();
        });

    public static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        await WriteBytesAsync(ctx, status, buffer.WrittenMemory);
    }

    public static async Task WriteBytesAsync(HttpContext ctx, int status, ReadOnlyMemory<byte> bytes)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    public static void WriteUser(Utf8JsonWriter w, SimulatorOptions options)
    {
        w.WriteStartObject();
        w.WriteNumber("status", 200);
        w.WriteStartObject("body");
        w.WriteNumber("id", 1);
        w.WriteString("uuid", "00000000-0000-4000-8000-000000000001");
        w.WriteNumber("client_id", options.ClientId);
        w.WriteString("client_name", options.ClientName);
        w.WriteString("realname", "Simulator User");
        w.WriteString("email", "analyst@example.com");
        w.WriteBoolean("enabled", true);
        w.WriteString("role", "analytic");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>One attack as the API shows it at <paramref name="now"/>; <c>*_by_filter</c> counters follow the request's time window.</summary>
    public static void WriteAttack(Utf8JsonWriter w, SimAttack a, long now, (long? From, long? To) window, IReadOnlyList<CorruptionRule> broken)
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

        var (first, lastOnWire) = Has(broken, CorruptionKind.ReversedTimes) ? (last, a.FirstTime) : (a.FirstTime, last);
        w.WriteStartObject();
        if (!Has(broken, CorruptionKind.MissingId))
        {
            w.WriteStartArray("id");
            w.WriteStringValue(a.Index);
            w.WriteStringValue(a.DocId);
            w.WriteEndArray();
            Text(w, "attackid", a.AttackId, broken);
        }

        w.WriteNumber("clientid", a.ClientId);
        Text(w, "domain", a.Domain, broken);
        Text(w, "path", a.Path, broken);
        w.WriteNumber("poolid", a.PoolId);
        Text(w, "method", a.Method, broken);
        Text(w, "parameter", a.Parameter, broken);
        w.WriteStartArray("point");
        foreach (var p in a.Point) w.WriteStringValue(p);
        w.WriteEndArray();
        Text(w, "type", a.Type, broken);
        Number(w, "first_time", first, broken);
        Number(w, "last_time", lastOnWire, broken);
        if (a.HitsAsFloat && broken.Count == 0)
        {
            w.WritePropertyName("hits");
            w.WriteRawValue(hits.ToString(CultureInfo.InvariantCulture) + ".0");
        }
        else
        {
            Number(w, "hits", hits, broken);
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
        else Number(w, "vulnid", a.VulnId.Value, broken);
        w.WriteStartArray("vulns");
        if (a.VulnId is not null) w.WriteNumberValue(a.VulnId.Value);
        w.WriteEndArray();
        w.WriteNumber("threat", a.Threat);
        Text(w, "target", a.Target, broken);
        w.WriteNull("experimental");
        w.WriteString("recheck_status", "unrecheckable");
        w.WriteNumber("vectors_count", a.Vectors);
        w.WriteNumber("vectors_count_by_filter", a.Vectors);
        Text(w, "block_status", a.BlockStatus, broken);
        if (a.State is null) w.WriteNull("state");
        else Text(w, "state", a.State, broken);
        w.WriteNull("anomality");
        w.WriteStartArray("datacenter");
        foreach (var provider in view.Datacenters) w.WriteStringValue(provider);
        w.WriteEndArray();
        if (view.Tor) w.WriteString("tor", "exit");
        else w.WriteNull("tor");
        w.WriteEndObject();
    }

    /// <summary>Body of <c>/v1/objects/attack/count</c>: <c>{attacks, hits, ips}</c>, hits as a float as the real API sends it (61818.0).</summary>
    public static void WriteCount(Utf8JsonWriter w, IReadOnlyList<SimAttack> matches, long now)
    {
        w.WriteStartObject();
        w.WriteNumber("status", 200);
        w.WriteStartObject("body");
        w.WriteNumber("attacks", matches.Count);
        w.WritePropertyName("hits");
        w.WriteRawValue(matches.Sum(a => a.ViewAt(now).Hits).ToString(CultureInfo.InvariantCulture) + ".0");
        w.WriteNumber("ips", matches.SelectMany(a => a.ViewAt(now).IpTop).Select(t => t.Ip).Distinct().Count());
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>One element of <c>/v1/objects/vuln</c> <c>body[]</c>.</summary>
    public static void WriteVulnerability(Utf8JsonWriter w, SimVulnerability v, long clientId, IReadOnlyList<CorruptionRule> broken)
    {
        w.WriteStartObject();
        if (!Has(broken, CorruptionKind.MissingId)) Number(w, "id", v.Id, broken);
        Text(w, "wid", v.Wid, broken);
        w.WriteNumber("clientid", clientId);
        Text(w, "status", v.Status, broken);
        Text(w, "type", v.Type, broken);
        Number(w, "threat", v.Threat, broken);
        Text(w, "target", v.Target, broken);
        Text(w, "title", v.Title, broken);
        w.WriteString("description", $"{v.Title}. Found by passive detection.");
        Text(w, "method", v.Method, broken);
        Text(w, "domain", v.Domain, broken);
        Text(w, "path", v.Path, broken);
        Text(w, "parameter", v.Parameter, broken);
        w.WriteNumber("validate_time", v.ValidateTime);
        w.WriteNull("invalidate_time");
        w.WriteBoolean("validated", true);
        w.WriteBoolean("hidden", false);
        w.WriteString("detection_method", "passive");
        w.WriteNull("incidents");
        w.WriteEndObject();
    }

    private static bool Has(IReadOnlyList<CorruptionRule> broken, CorruptionKind kind)
    {
        foreach (var rule in broken)
        {
            if (rule.Kind == kind) return true;
        }

        return false;
    }

    private static CorruptionRule? For(IReadOnlyList<CorruptionRule> broken, string field)
    {
        foreach (var rule in broken)
        {
            if (rule.Kind is not (CorruptionKind.ReversedTimes or CorruptionKind.MissingId or CorruptionKind.Unlisted or CorruptionKind.FailsAnswer) && string.Equals(rule.Field, field, StringComparison.Ordinal)) return rule;
        }

        return null;
    }

    /// <summary>A string member, or its broken form: an unpaired surrogate escape or a byte that is not UTF-8 before the text, the text grown, or garbage.</summary>
    private static void Text(Utf8JsonWriter w, string name, string value, IReadOnlyList<CorruptionRule> broken)
    {
        var rule = broken.Count == 0 ? null : For(broken, name);
        if (rule is null || rule.Kind == CorruptionKind.NumberAsString)
        {
            w.WriteString(name, value);
            return;
        }

        var encoded = JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        byte[] raw = rule.Kind switch
        {
            CorruptionKind.UnpairedSurrogate => [.. "\"\\ud800"u8, .. encoded, (byte)'"'],
            CorruptionKind.InvalidUtf8 => [(byte)'"', 0xFF, .. encoded, (byte)'"'],
            CorruptionKind.HugeField => [(byte)'"', .. encoded, .. Enumerable.Repeat((byte)rule.Fill, rule.Bytes), (byte)'"'],
            _ => "<html>Bad gateway</html>"u8.ToArray(),
        };
        w.WritePropertyName(name);
        w.WriteRawValue(raw, skipInputValidation: true);
    }

    /// <summary>A number member, or its broken form: the number as a string (or as other text), or <c>NaN</c>.</summary>
    private static void Number(Utf8JsonWriter w, string name, long value, IReadOnlyList<CorruptionRule> broken)
    {
        var rule = broken.Count == 0 ? null : For(broken, name);
        switch (rule?.Kind)
        {
            case CorruptionKind.NumberAsString:
                w.WriteString(name, rule.Value ?? value.ToString(CultureInfo.InvariantCulture));
                return;
            case CorruptionKind.BrokenJson:
                w.WritePropertyName(name);
                w.WriteRawValue("NaN"u8, skipInputValidation: true);
                return;
            default:
                w.WriteNumber(name, value);
                return;
        }
    }
}
