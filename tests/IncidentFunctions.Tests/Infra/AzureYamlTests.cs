using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace IncidentFunctions.Tests.Infra;

[Trait("Category", TestCategories.Integration)]
public sealed partial class AzureYamlTests
{
    [Fact]
    public void AzureYaml_OneFunctionServiceOnTheFunctionsProject()
    {
        var service = AzureYaml.SingleFunctionService();

        Assert.Equal("function", service.Host);
        Assert.Equal("dotnet", service.Language);
        var project = Path.GetFullPath(Path.Combine(Repo.Root, service.Project));
        Assert.True(File.Exists(Path.Combine(project, "IncidentFunctions.FunctionApp.csproj")), $"azure.yaml project '{service.Project}' is not the Functions app.");
    }

    [Fact]
    public void AzureYaml_InfraIsTheBicepMainModule()
    {
        var infra = (YamlMappingNode)AzureYaml.Root()["infra"];

        Assert.Equal("bicep", AzureYaml.Scalar(infra, "provider"));
        Assert.Equal("main", AzureYaml.Scalar(infra, "module"));
        Assert.True(File.Exists(Path.Combine(Repo.Root, AzureYaml.Scalar(infra, "path"), "main.bicep")));
        Assert.True(File.Exists(Path.Combine(Repo.Root, AzureYaml.Scalar(infra, "path"), "main.parameters.json")));
    }

    [Fact]
    public void AzureYamlAndInfra_FilesAndReadmeSectionsTheyPointTo_Exist()
    {
        var headings = File.ReadLines(Path.Combine(Repo.Root, "README.md")).Where(l => l.StartsWith('#')).Select(l => l.TrimStart('#').Trim()).ToHashSet(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(Repo.Infra, "*.bicep", SearchOption.AllDirectories).Append(Path.Combine(Repo.Root, "azure.yaml"));
        var problems = new List<string>();
        var pointers = 0;
        foreach (var source in sources)
        {
            var text = File.ReadAllText(source);
            var name = Path.GetRelativePath(Repo.Root, source);
            foreach (Match m in RepositoryPath().Matches(text))
            {
                pointers++;
                var target = Path.Combine(Repo.Root, m.Value);
                if (!File.Exists(target) && !Directory.Exists(target)) problems.Add($"{name} points to {m.Value}, which does not exist.");
            }

            foreach (Match m in ReadmeSection().Matches(text))
            {
                pointers++;
                if (!headings.Contains(m.Groups["section"].Value)) problems.Add($"{name} points to the README section '{m.Groups["section"].Value}', which has no heading.");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(pointers >= 3, "Expected azure.yaml and infra/ to point to the README and docs/ (the patterns found nothing).");
    }

    // Repository-relative file paths in comments and descriptions (URLs excluded: preceded by '/' or ':').
    [GeneratedRegex(@"(?<![\w/:.-])(?:docs|infra|src|tests)/[\w./-]*\w\.\w+|(?<![\w/])README\.md(?=\b)")]
    private static partial Regex RepositoryPath();

    // "README, Rotating secrets" or 'README.md, "Deploy to Azure"'.
    [GeneratedRegex(@"README(?:\.md)?, ""?(?<section>[A-Z][A-Za-z' ]*[A-Za-z])")]
    private static partial Regex ReadmeSection();
}
