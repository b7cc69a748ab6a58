using System.Buffers;
using System.Globalization;
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
    public static void WriteAttack(Utf8JsonWriter w, SimAttack a, long now, (long? From, long? To) window)
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
    public static void WriteVulnerability(Utf8JsonWriter w, SimVulnerability v, long clientId)
    {
        w.WriteStartObject();
        w.WriteNumber("id", v.Id);
        w.WriteString("wid", v.Wid);
        w.WriteNumber("clientid", clientId);
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
}
