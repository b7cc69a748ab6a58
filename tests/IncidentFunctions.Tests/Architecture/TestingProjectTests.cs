using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Architecture;

/// <summary>Sample data, render traces and the deployment registry live in tests/IncidentFunctions.Testing, never in what ships.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class TestingProjectTests
{
    [Fact]
    public void ProductProjects_DoNotReferenceTheTestingProject()
    {
        var projects = Directory.GetFiles(Path.Combine(AzuriteFixture.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories);

        Assert.NotEmpty(projects);
        var offenders = projects.Where(p => File.ReadAllText(p).Contains("IncidentFunctions.Testing.csproj", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(offenders.Count == 0, "Product projects must not reference tests/IncidentFunctions.Testing: " + string.Join(", ", offenders));
    }

    [Fact]
    public void CoreAssembly_HasNoTestOnlyTypes()
    {
        var core = typeof(IncidentFunctions.Hosting.IncidentFunctionsHostBuilderExtensions).Assembly;

        Assert.DoesNotContain(core.GetReferencedAssemblies(), a => a.Name == "IncidentFunctions.Testing");
        Assert.DoesNotContain(core.GetTypes(), t => t.Name is "RenderTrace" or "ReportPreviewData" or "DeploymentSettings");
    }

    [Fact]
    public void CoreAssembly_TableQueries_UseStringFiltersNotExpressionTrees()
    {
        // TableClient's expression overloads compile a method per call (a JIT compilation, about 7 KB and 80 µs each,
        // and 26 ms for the first); CreateQueryFilter formats the same filter. No other Core code needs expressions.
        var core = typeof(IncidentFunctions.Hosting.IncidentFunctionsHostBuilderExtensions).Assembly;

        Assert.DoesNotContain(core.GetReferencedAssemblies(), a => a.Name == "System.Linq.Expressions");
    }
}
