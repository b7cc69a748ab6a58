using IncidentFunctions.Reports;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportOptionsValidatorTests
{
    private static readonly string Secret = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void Validate_ActiveIdWithoutAnyKey_FailsNamingTheMissingKey()
    {
        var result = new ReportOptionsValidator().Validate(null, new ReportOptions { ActiveSigningKeyId = "k1" });

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("Reports:SigningKeys:k1 (app setting Reports__SigningKeys__k1) is not set", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("k1", true)]
    public void Validate_NoIdOrItsKeySet_Passes(string? activeId, bool withKey)
    {
        var options = new ReportOptions { ActiveSigningKeyId = activeId };
        if (withKey) options.SigningKeys["k1"] = Secret;

        var result = new ReportOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
