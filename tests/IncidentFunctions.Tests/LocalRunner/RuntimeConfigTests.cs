using System.Text.Json;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>The runtime settings the built runner starts with (its runtimeconfig.json, which the runtime reads).</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class RuntimeConfigTests
{
    [Fact]
    public void RuntimeConfig_BuiltRunner_UsesWorkstationGarbageCollectionAsTheFunctionsWorker()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IncidentFunctions.LocalRunner.runtimeconfig.json")));

        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.TryGetProperty("System.GC.Server", out var server));
        Assert.False(server.GetBoolean());
    }
}
