using YamlDotNet.RepresentationModel;

namespace IncidentFunctions.Tests.Infra;

public sealed class AzureYamlTests
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
}
