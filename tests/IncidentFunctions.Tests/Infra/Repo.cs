using System.Reflection;

namespace IncidentFunctions.Tests.Infra;

/// <summary>Paths the build passes in as assembly metadata (see the test csproj).</summary>
internal static class Repo
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    public static string Metadata(string key)
    {
        var value = typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value;
        Assert.False(string.IsNullOrWhiteSpace(value), $"Assembly metadata '{key}' is empty; the test csproj sets it from an MSBuild property.");
        return value!;
    }
}
