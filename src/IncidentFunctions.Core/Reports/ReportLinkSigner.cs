using Microsoft.Extensions.Logging;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IncidentFunctions.Reports;

/// <summary>Why a signed link was accepted or refused (logged; never told to the caller).</summary>
public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,
    UnknownKey,
    Expired,
    TooLong,
    BadSignature,
    NotConfigured,
}

/// <summary>The query of a signed link and when it stops working.</summary>
public sealed record SignedQuery(string Query, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs and verifies expiring report links: <c>exp</c> (Unix seconds), <c>kid</c> (key id) and <c>sig</c>, an
/// HMAC-SHA256 over the resource path (the keyed route's path without host or prefix, e.g.
/// <see cref="DailyReportEndpoint.PathFor"/>), the expiry and the key id, base64url-encoded. Keys are rotated by adding a
/// new id, making it active, and removing the old one once its links have expired. Verification compares in
/// constant time.
/// </summary>
public sealed class ReportLinkSigner(IOptions<ReportOptions> options, TimeProvider time)
{
    public const string ExpiresParameter = "exp";
    public const string KeyIdParameter = "kid";
    public const string SignatureParameter = "sig";

    public SignedQuery Sign(string resourcePath, TimeSpan validFor)
    {
        var o = options.Value;
        if (o.ActiveSigningKeyId is not { } kid || !o.SigningKeys.TryGetValue(kid, out var secret) || !ReportOptionsValidator.TryDecodeKey(secret, out var key))
        {
            throw new InvalidOperationException("Shared report links need a signing key: set 'Reports__SigningKeys__<id>' to a base64 secret of at least 32 bytes and 'Reports__ActiveSigningKeyId' to that id.");
        }

        if (validFor <= TimeSpan.Zero || validFor > o.MaxSignedLinkLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, $"A shared link must be valid for more than zero and at most Reports:MaxSignedLinkLifetime ({o.MaxSignedLinkLifetime}).");
        }

        var expires = time.GetUtcNow().Add(validFor);
        var exp = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var sig = Base64Url.EncodeToString(Mac(key, resourcePath, exp, kid));
        return new SignedQuery($"{ExpiresParameter}={exp}&{KeyIdParameter}={Uri.EscapeDataString(kid)}&{SignatureParameter}={sig}", DateTimeOffset.FromUnixTimeSeconds(long.Parse(exp, CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// The gate of a route behind a signed link: null when the request's link signs <paramref name="resourcePath"/>,
    /// otherwise the 403 (no body) to answer, logged with the reason.
    /// </summary>
    public IResult? Refuse(HttpRequest request, string resourcePath, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(request);
        var check = Verify(resourcePath, request.Query);
        if (check == SignatureCheck.Valid) return null;
        ReportsLog.SignedLinkRefused(logger, request.Path.Value ?? "", check);
        return Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    /// <summary>Checks a request's link parameters (each must be given exactly once) against <paramref name="resourcePath"/>.</summary>
    public SignatureCheck Verify(string resourcePath, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Verify(resourcePath, Single(query[ExpiresParameter]), Single(query[KeyIdParameter]), Single(query[SignatureParameter]));
    }

    public SignatureCheck Verify(string resourcePath, string? exp, string? kid, string? sig)
    {
        var o = options.Value;
        if (o.SigningKeys.Count == 0) return SignatureCheck.NotConfigured;
        if (string.IsNullOrEmpty(exp) || string.IsNullOrEmpty(kid) || string.IsNullOrEmpty(sig)) return SignatureCheck.Missing;
        if (exp.Length > 12 || !exp.All(char.IsAsciiDigit) || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expSeconds) || sig.Length > 64)
        {
            return SignatureCheck.Malformed;
        }

        if (!o.SigningKeys.TryGetValue(kid, out var secret) || !ReportOptionsValidator.TryDecodeKey(secret, out var key)) return SignatureCheck.UnknownKey;

        var given = new byte[48];
        int written;
        try
        {
            if (!Base64Url.TryDecodeFromChars(sig, given, out written) || written != 32) return SignatureCheck.Malformed;
        }
        catch (FormatException)
        {
            // TryDecode throws on text that is not base64url (or has stray trailing bits): a tampered link, not a fault.
            return SignatureCheck.Malformed;
        }

        // The MAC is checked before the expiry, so a tampered expiry reads as tampering, not as "expired".
        if (!CryptographicOperations.FixedTimeEquals(given.AsSpan(0, written), Mac(key, resourcePath, exp, kid))) return SignatureCheck.BadSignature;

        var now = time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeSeconds(Math.Min(expSeconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (expires <= now) return SignatureCheck.Expired;
        if (expires - now > o.MaxSignedLinkLifetime + TimeSpan.FromMinutes(5)) return SignatureCheck.TooLong;
        return SignatureCheck.Valid;
    }

    private static byte[] Mac(byte[] key, string resourcePath, string exp, string kid)
        => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"v1\n{resourcePath}\n{exp}\n{kid}"));

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;
}
