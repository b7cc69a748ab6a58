using YamlDotNet.RepresentationModel;

namespace IncidentFunctions.Tests.Infra;

/// <summary>azure.yaml at the repository root, read with a YAML parser.</summary>
internal static class AzureYaml
{
    public sealed record Service(string Key, string Project, string Language, string Host);

    public static YamlMappingNode Root()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Repo.Root, "azure.yaml")));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    public static Service SingleFunctionService()
    {
        var services = (YamlMappingNode)Root()["services"];
        var (key, node) = Assert.Single(services.Children);
        var service = (YamlMappingNode)node;
        return new Service(((YamlScalarNode)key).Value!, Scalar(service, "project"), Scalar(service, "language"), Scalar(service, "host"));
    }

    public static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
