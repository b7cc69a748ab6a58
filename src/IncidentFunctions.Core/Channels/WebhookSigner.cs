using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IncidentFunctions.Channels;

/// <summary>
/// Signs generic webhook bodies: <c>X-IncidentFunctions-Signature: sha256=&lt;hex&gt;</c>, the HMAC-SHA256 with the
/// channel's secret over <c>{timestamp}.{body}</c>, where the timestamp (Unix seconds) is sent in
/// <c>X-IncidentFunctions-Timestamp</c>. Receivers recompute it, compare in constant time and reject timestamps more
/// than five minutes away from their clock (replay).
/// </summary>
public static class WebhookSigner
{
    public const string TimestampHeader = "X-IncidentFunctions-Timestamp";
    public const string SignatureHeader = "X-IncidentFunctions-Signature";
    public const string DeliveryHeader = "X-IncidentFunctions-Delivery";

    /// <summary>Same value as the delivery header, under the name generic receivers and proxies commonly deduplicate on.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver does; used by the tests and shown in docs/webhook-schema.md.</summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, string body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestampHeader) || string.IsNullOrEmpty(signatureHeader)) return false;
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return false;
        if (timestamp > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || (now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > Tolerance) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var given = Encoding.ASCII.GetBytes(signatureHeader);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
