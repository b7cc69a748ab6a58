using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Unit)]
public sealed class StoredTextTests
{
    [Fact]
    public void Bound_ShortText_IsUnchanged() => Assert.Equal("/api/v1/login", StoredText.Bound("/api/v1/login", 100));

    [Fact]
    public void Bound_LongText_FitsAndSaysHowMuchWasCut()
    {
        var text = new string('a', 1_000_000);

        var bounded = StoredText.Bound(text, 100)!;

        Assert.True(bounded.Length <= 100, $"length {bounded.Length}");
        Assert.EndsWith("…[truncated " + (1_000_000 - bounded.IndexOf('…', StringComparison.Ordinal)) + " chars]", bounded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(109)]
    [InlineData(110)]
    [InlineData(111)]
    [InlineData(120)]
    [InlineData(200)]
    [InlineData(1_100)]
    public void Bound_CutCountGainsADigit_StillFitsAndCountsWhatWasCut(int length)
    {
        // Just over the limit: the marker first sized for a one-digit cut must grow when the cut itself needs two digits.
        var text = new string('a', length);

        var bounded = StoredText.Bound(text, 100)!;

        Assert.True(bounded.Length <= 100, $"length {bounded.Length}: {bounded}");
        var kept = bounded.IndexOf('…', StringComparison.Ordinal);
        Assert.EndsWith("…[truncated " + (length - kept) + " chars]", bounded, StringComparison.Ordinal);
    }

    [Fact]
    public void Bound_CutFallsInsideASurrogatePair_KeepsThePairWhole()
    {
        var text = new string('x', 79) + "😀" + new string('y', 100);

        var bounded = StoredText.Bound(text, 100)!;

        Assert.False(char.IsHighSurrogate(bounded[bounded.IndexOf('…', StringComparison.Ordinal) - 1]));
    }
}
