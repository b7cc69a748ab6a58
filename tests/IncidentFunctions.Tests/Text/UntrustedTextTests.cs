using IncidentFunctions.Text;

namespace IncidentFunctions.Tests.Text;

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
}
