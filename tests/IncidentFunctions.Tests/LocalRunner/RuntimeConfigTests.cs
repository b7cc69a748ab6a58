using System.Text.Json;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>The runtime settings the built hosts start with (their runtimeconfig.json, which the runtime reads).</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class RuntimeConfigTests
{
    [Fact]
    public void RuntimeConfig_BuiltRunner_UsesWorkstationGarbageCollectionAsTheFunctionsWorker()
    {
        var properties = ConfigProperties("IncidentFunctions.LocalRunner");

        Assert.True(properties.TryGetProperty("System.GC.Server", out var server));
        Assert.False(server.GetBoolean());
    }

    [Theory]
    [InlineData("IncidentFunctions.LocalRunner")]
    [InlineData("IncidentFunctions.FunctionApp")]
    public void RuntimeConfig_BuiltHost_RunsWithoutDynamicPgo(string host)
    {
        // Its instrumented tier kept recompiling warm methods in the background, competing with the first requests.
        var properties = ConfigProperties(host);

        Assert.True(properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo));
        Assert.False(pgo.GetBoolean());
    }

    private static JsonElement ConfigProperties(string host)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, host + ".runtimeconfig.json")));
        return config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
