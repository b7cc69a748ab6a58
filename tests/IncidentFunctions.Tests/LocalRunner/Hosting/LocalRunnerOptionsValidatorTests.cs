using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Reports;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

[Trait("Category", TestCategories.Unit)]
public sealed class LocalRunnerOptionsValidatorTests
{
    private static readonly LocalRunnerOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        // The default host.json path is the copy beside the binaries, which the test project gets too.
        var result = Validator.Validate(null, new LocalRunnerOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:7071")]
    [InlineData("http://127.0.0.1:7071;ftp://example.org")]
    public void Validate_BadUrls_FailsNamingTheSetting(string urls)
    {
        var result = Validator.Validate(null, new LocalRunnerOptions { Urls = urls });

        Assert.True(result.Failed);
        Assert.Contains("LocalRunner:Urls", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LogoFileMissing_FailsNamingTheSettingAndThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-logo-{Guid.NewGuid():N}.png");

        var result = Validator.Validate(null, new LocalRunnerOptions { LogoFile = missing });

        Assert.True(result.Failed);
        Assert.Contains($"LocalRunner:LogoFile '{missing}' does not exist", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LogoFileOverTheLimit_FailsNamingItsSize()
    {
        var large = Path.Combine(Path.GetTempPath(), $"large-logo-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(large, new byte[ReportLogo.MaxBytes + 1]);
        try
        {
            var result = Validator.Validate(null, new LocalRunnerOptions { LogoFile = large });

            Assert.True(result.Failed);
            Assert.Contains($"LocalRunner:LogoFile '{large}' is 1,048,577 bytes; a report logo is at most 1,048,576.", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(large);
        }
    }

    [Fact]
    public void Validate_SeveralUrls_Succeeds()
    {
        var result = Validator.Validate(null, new LocalRunnerOptions { Urls = "http://127.0.0.1:7071; http://localhost:0" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_BlankFunctionKey_Fails()
    {
        var result = Validator.Validate(null, new LocalRunnerOptions { FunctionKeys = ["FAKE-good-key", " "] });

        Assert.True(result.Failed);
        Assert.Contains("LocalRunner:FunctionKeys", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HostJsonPathMissing_FailsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");

        var result = Validator.Validate(null, new LocalRunnerOptions { HostJsonPath = path });

        Assert.True(result.Failed);
        Assert.Contains(path, result.FailureMessage, StringComparison.Ordinal);
    }
}
