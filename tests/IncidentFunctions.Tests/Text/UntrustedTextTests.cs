using IncidentFunctions.Text;

namespace IncidentFunctions.Tests.Text;

[Trait("Category", TestCategories.Unit)]
public sealed class UntrustedTextTests
{
    [Theory]
    [InlineData("/files/\u202Efdp.exe", "/files/[U+202E]fdp.exe")]
    [InlineData("a\u2066b\u2069c", "a[U+2066]b[U+2069]c")]
    [InlineData("x\u0000y\u001b[31m", "x[U+0000]y[U+001B][31m")]
    [InlineData("zero\u200Bwidth", "zero[U+200B]width")]
    [InlineData("  line1\r\n\tline2  ", "line1 line2")]
    [InlineData("/用户/登录", "/用户/登录")]
    [InlineData("🔥", "🔥")]
    public void Sanitize_HostileCharacters_BecomeVisibleEscapes(string input, string expected)
        => Assert.Equal(expected, UntrustedText.Sanitize(input));

    [Fact]
    public void Sanitize_UnpairedSurrogate_IsEscaped()
        => Assert.Equal("a[U+D800]b", UntrustedText.Sanitize("a\uD800b"));

    [Fact]
    public void Sanitize_OneMegabytePath_IsBoundedWithEllipsisAndCount()
    {
        var path = "/" + new string('a', 1_048_576);

        var result = UntrustedText.Sanitize(path, 300, showCutCount: true);

        Assert.True(result.Length <= 300, $"length {result.Length}");
        Assert.StartsWith("/aaa", result, StringComparison.Ordinal);
        Assert.Contains("…(+", result, StringComparison.Ordinal);
        var count = long.Parse(result[(result.IndexOf("(+", StringComparison.Ordinal) + 2)..^1].Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(path.Length - (result.IndexOf('…', StringComparison.Ordinal)), count);
    }

    [Fact]
    public void Sanitize_CutInsideAnEscapeOrSurrogatePair_KeepsThemWhole()
    {
        var result = UntrustedText.Sanitize("abcd\u202Eefgh", 8);
        Assert.Equal("abcd…", result);

        var emoji = UntrustedText.Sanitize("ab🔥🔥🔥", 4);
        Assert.True(emoji.Length <= 4);
        Assert.False(char.IsHighSurrogate(emoji[^2]) && emoji[^1] == '…');
        Assert.EndsWith("…", emoji, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_ShortCleanText_IsUnchanged()
    {
        Assert.Equal("GET /api/v1/items?id=1", UntrustedText.Sanitize("GET /api/v1/items?id=1"));
        Assert.True(UntrustedText.IsClean("GET /api/v1/items?id=1"));
        Assert.False(UntrustedText.IsClean("a\u202Eb"));
        Assert.Equal("", UntrustedText.Sanitize(null));
    }

    [Fact]
    public void Sanitize_InvalidBound_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => UntrustedText.Sanitize("x", 0));

    [Theory]
    [MemberData(nameof(UntrustedTextCases.Gaps), MemberType = typeof(UntrustedTextCases))]
    public void Inert_EveryGap_GivesTheSafeForm(string gap, string raw, string expected)
        => Assert.True(expected == UntrustedText.Inert(raw, 500), $"{gap}: got '{UntrustedText.Inert(raw, 500)}'");

    [Fact]
    public void Inert_SubstitutionsRunBeforeDefanging()
    {
        // A backtick becomes a modifier letter (a letter), so the dot after it is a host dot once substituted.
        Assert.Equal("ˋˋˋ[.]example", UntrustedText.Inert("```.example", 100, substitute: s => s.Replace('`', 'ˋ')));
    }

    [Fact]
    public void Inert_DefangingOverflowsATextShorterThanTheBound_KeepsMostOfItAndStillSubstitutes()
    {
        // 57 characters against a bound of 60, 61 once defanged: the bound shrank by one an attempt, never below the
        // text's length, and the last resort, half the bound, skipped the substitution (a raw backtick closed Slack's
        // code span; found by the chat renderers' random test).
        const string raw = "h>w`block```clickample/yit_https://evil.example/y><imgre>";

        var inert = UntrustedText.Inert(raw, 60, substitute: s => s.Replace('`', 'ˋ'));

        Assert.DoesNotContain('`', inert);
        Assert.True(inert.Length is > 50 and <= 60, $"'{inert}' ({inert.Length} characters)");
        Assert.StartsWith("h>wˋblockˋˋˋclickample/yit_https[:]//evil[.]example", inert, StringComparison.Ordinal);
    }

    [Fact]
    public void Inert_Twice_ChangesNothing()
    {
        var once = UntrustedText.Inert("https://a.evil.example/x.php?m=a@b.example", 200);
        Assert.Equal(once, UntrustedText.Inert(once, 200));
    }

    [Fact]
    public void Inert_DefangingLongText_StaysWithinTheBoundAndKeepsTheCutCount()
    {
        var raw = string.Concat(Enumerable.Repeat("a.b", 1_000));

        var result = UntrustedText.Inert(raw, 100, showCutCount: true);

        Assert.True(result.Length <= 100, $"length {result.Length}");
        Assert.Matches(@"…\(\+[0-9,]+\)$", result);
    }

    [Theory]
    [InlineData("\u202E\u202E", "[U+202E][U+202E]")]
    [InlineData("de", "de")]
    [InlineData("…[truncated 11 chars]", "…(+11)")]
    [InlineData("ABCDEFGHIJKL", "ABCDEFGH…(+4)")]
    public void ShortField_ShowsWhatItHoldsAndWhatWasCut(string raw, string expected)
        => Assert.Equal(expected, UntrustedText.ShortField(raw, 8));

    [Fact]
    public void Sanitize_StorageCutMarker_CountsInTheOneCutCount()
    {
        var stored = new string('a', 500) + "…[truncated 1000 chars]";

        Assert.Equal(new string('a', 91) + "…(+1,409)", UntrustedText.Sanitize(stored, 100, showCutCount: true));
        Assert.Equal("abc…(+7)", UntrustedText.Sanitize("abc…[truncated 7 chars]", 100, showCutCount: true));
    }

    [Fact]
    public void Sanitize_MarksAtTheEndOfACutText_NeverSplitTheCount()
    {
        var result = UntrustedText.Sanitize(UntrustedTextCases.Zalgo, 8);

        Assert.DoesNotContain("[+", result[..^1].Replace("[+197 marks]", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.EndsWith("…", result, StringComparison.Ordinal);
    }
}
