using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>
/// A v2 cursor: where the next page starts, the "now" of the snapshot the first page saw, the page number, and a hash
/// of the query it belongs to. Opaque to clients (URL-safe base64).
/// </summary>
internal readonly record struct PageCursor(int Offset, long Now, int Page, string Query)
{
    public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Offset}|{Now}|{Page}|{Query}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string text, out PageCursor cursor)
    {
        cursor = default;
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            if (parts.Length != 4) return false;
            cursor = new PageCursor(int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Ties a cursor to the query that made it.</summary>
    public static string Hash(string canonicalQuery) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalQuery)))[..16];

    /// <summary>The zero-based page a request asks for (cursor, or offset / limit); null when the body is not an object.</summary>
    public static int? PageOf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return null;
        if (body.TryGetProperty("cursor", out var c) && c.ValueKind == JsonValueKind.String && TryDecode(c.GetString()!, out var cursor))
        {
            return cursor.Page;
        }

        if (body.TryGetProperty("paging", out var p) && p.ValueKind == JsonValueKind.True) return 0;
        var limit = body.TryGetProperty("limit", out var l) && l.TryGetInt32(out var li) && li > 0 ? li : 100;
        var offset = body.TryGetProperty("offset", out var o) && o.TryGetInt32(out var oi) ? oi : 0;
        return offset / limit;
    }
}
