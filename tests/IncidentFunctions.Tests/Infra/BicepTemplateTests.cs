using System.Text.Json;

namespace IncidentFunctions.Tests.Infra;

/// <summary>`bicep build` and `bicep lint` pass with no warning at all (type errors are only warnings in Bicep).</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class BicepTemplateTests
{
    [Fact]
    public async Task Build_MainTemplate_HasNoWarningsOrErrors()
    {
        var result = await BicepCli.RunAsync("build", Repo.MainBicep, "--stdout");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.True(result.Diagnostics.Count == 0, string.Join(Environment.NewLine, result.Diagnostics));
        using var template = JsonDocument.Parse(result.StdOut);
        Assert.Equal("https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#", template.RootElement.GetProperty("$schema").GetString());
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Lint_EveryBicepFile_HasNoWarningsOrErrors(string file)
    {
        var result = await BicepCli.RunAsync("lint", Path.Combine(Repo.Infra, file));

        Assert.True(result.ExitCode == 0 && result.Diagnostics.Count == 0, $"{file}:{Environment.NewLine}{result.StdOut}{result.StdErr}");
    }

    public static TheoryData<string> BicepFiles()
        => [.. Directory.EnumerateFiles(Repo.Infra, "*.bicep", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Repo.Infra, f)).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("no-unused-params")]
    [InlineData("no-unused-vars")]
    [InlineData("no-hardcoded-env-urls")]
    [InlineData("use-secure-value-for-secure-inputs")]
    [InlineData("outputs-should-not-contain-secrets")]
    [InlineData("secure-secrets-in-params")]
    public void BicepConfig_RaisesTheTestedRulesToError(string rule)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Infra, "bicepconfig.json")));

        Assert.Equal("error", config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules").GetProperty(rule).GetProperty("level").GetString());
    }

    [Theory]
    [InlineData("param unused string\n", "no-unused-params")]
    [InlineData("resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'stx'\n  location: resourceGroup().location\n  kind: 'StorageV2'\n  sku: {\n    name: 'Standard_LRS'\n    bogus: 1\n  }\n}\n", "BCP037")]
    [InlineData("resource ai 'Microsoft.Insights/components@2020-02-02' = {\n  name: 'ai'\n  location: resourceGroup().location\n  kind: 'web'\n  properties: {\n    Application_Type: 42\n  }\n}\n", "BCP036")]
    public async Task Lint_BrokenTemplate_IsCaught(string bicep, string expected)
    {
        // Next to a copy of infra/bicepconfig.json, as infra/ files are linted. BCP036/BCP037 exit 0: only the
        // warning line gives them away, which is why the checks fail on any Warning/Error line.
        var dir = Directory.CreateTempSubdirectory("bicep-lint-").FullName;
        try
        {
            File.Copy(Path.Combine(Repo.Infra, "bicepconfig.json"), Path.Combine(dir, "bicepconfig.json"));
            var file = Path.Combine(dir, "broken.bicep");
            await File.WriteAllTextAsync(file, bicep, TestContext.Current.CancellationToken);

            var result = await BicepCli.RunAsync("lint", file);

            Assert.Contains(result.Diagnostics, d => d.Contains(expected, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
