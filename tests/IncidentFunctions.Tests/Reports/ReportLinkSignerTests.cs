using IncidentFunctions.Reports;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportLinkSignerTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    private ReportLinkSigner Signer(string active = "a", params (string Kid, string Key)[] keys)
    {
        var options = new ReportOptions { ActiveSigningKeyId = active };
        foreach (var (kid, key) in keys.Length == 0 ? [("a", KeyA)] : keys) options.SigningKeys[kid] = key;
        return new ReportLinkSigner(Options.Create(options), _time);
    }

    private static Dictionary<string, string> Parse(string query)
        => query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

    [Fact]
    public void Verify_FreshLink_IsValid()
    {
        var signer = Signer();
        var q = Parse(signer.Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromHours(1)).Query);

        Assert.Equal(SignatureCheck.Valid, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"]));
    }

    [Fact]
    public void Verify_OtherPathExpiryOrSignature_IsTampering()
    {
        var signer = Signer();
        var q = Parse(signer.Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromHours(1)).Query);
        var laterExp = (long.Parse(q["exp"], System.Globalization.CultureInfo.InvariantCulture) + 3600).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var flipped = (q["sig"][0] == 'A' ? "B" : "A") + q["sig"][1..];

        Assert.Equal(SignatureCheck.BadSignature, signer.Verify("reports/daily/2026-11-19.pdf", q["exp"], q["kid"], q["sig"]));
        Assert.Equal(SignatureCheck.BadSignature, signer.Verify("reports/daily/2026-11-20.pdf", laterExp, q["kid"], q["sig"]));
        Assert.Equal(SignatureCheck.BadSignature, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], flipped));
        Assert.Equal(SignatureCheck.Malformed, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"][..20]));
        Assert.Equal(SignatureCheck.Malformed, signer.Verify("reports/daily/2026-11-20.pdf", "-1", q["kid"], q["sig"]));
        Assert.Equal(SignatureCheck.Missing, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], null));
        // Not base64url at all, or a last character whose spare bits are set: the decoder throws; still just tampering.
        Assert.Equal(SignatureCheck.Malformed, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"][..^1] + "*"));
        Assert.Equal(SignatureCheck.Malformed, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"][..^1] + (q["sig"][^1] == 'x' ? "y" : "x")));
        Assert.Equal(SignatureCheck.UnknownKey, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], "zz", q["sig"]));
    }

    [Fact]
    public void Verify_AfterExpiry_IsExpired()
    {
        var signer = Signer();
        var q = Parse(signer.Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromMinutes(15)).Query);

        _time.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(SignatureCheck.Expired, signer.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"]));
    }

    [Fact]
    public void Verify_RotatedKeys_OldLinksWorkUntilTheirKeyIsRemoved()
    {
        var old = Signer("a", ("a", KeyA));
        var q = Parse(old.Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromHours(1)).Query);

        var rotated = Signer("b", ("a", KeyA), ("b", KeyB));
        var fresh = Parse(rotated.Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromHours(1)).Query);
        var retired = Signer("b", ("b", KeyB));

        Assert.Equal("b", fresh["kid"]);
        Assert.Equal(SignatureCheck.Valid, rotated.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"]));
        Assert.Equal(SignatureCheck.UnknownKey, retired.Verify("reports/daily/2026-11-20.pdf", q["exp"], q["kid"], q["sig"]));
        Assert.Equal(SignatureCheck.BadSignature, rotated.Verify("reports/daily/2026-11-20.pdf", q["exp"], "b", q["sig"]));
    }

    [Fact]
    public void Sign_WithoutKeysOrBeyondTheMaximum_Throws()
    {
        var none = new ReportLinkSigner(Options.Create(new ReportOptions()), _time);

        Assert.Throws<InvalidOperationException>(() => none.Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Signer().Sign("reports/daily/2026-11-20.pdf", TimeSpan.FromDays(30)));
        Assert.Equal(SignatureCheck.NotConfigured, none.Verify("reports/daily/2026-11-20.pdf", "1", "a", "x"));
    }
}
