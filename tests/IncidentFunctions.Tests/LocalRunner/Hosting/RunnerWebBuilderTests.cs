using IncidentFunctions.LocalRunner.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

[Trait("Category", TestCategories.Unit)]
public sealed class RunnerWebBuilderTests
{
    [Fact]
    public void Create_NoArguments_ReadsAppSettingsWithoutWatchingTheContentRoot()
    {
        var builder = RunnerWebBuilder.Create([]);

        var json = ((IConfigurationBuilder)builder.Configuration).Sources.OfType<JsonConfigurationSource>().ToList();
        Assert.Contains(json, s => s.Path == "appsettings.json");
        Assert.All(json, s => Assert.False(s.ReloadOnChange, s.Path));
    }

    [Fact]
    public void Create_ReloadAskedFor_WatchesAppSettings()
    {
        var builder = RunnerWebBuilder.Create(["--hostBuilder:reloadConfigOnChange=true"]);

        var json = ((IConfigurationBuilder)builder.Configuration).Sources.OfType<JsonConfigurationSource>().ToList();
        Assert.Contains(json, s => s.Path == "appsettings.json" && s.ReloadOnChange);
    }
}
