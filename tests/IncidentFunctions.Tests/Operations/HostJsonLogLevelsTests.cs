using IncidentFunctions.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Operations;

[Trait("Category", TestCategories.Unit)]
public sealed class HostJsonLogLevelsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");

    [Fact]
    public void Read_RepositoryHostJson_LowersTheHttpClientLines()
    {
        var levels = HostJsonLogLevels.Read(Path.Combine(Infrastructure.AzuriteFixture.RepositoryRoot, "host.json"));

        Assert.Equal(LogLevel.Warning, levels["System.Net.Http.HttpClient"]);
        Assert.Equal(LogLevel.Information, levels["Default"]); // keys in any case, as configuration reads them
    }

    [Fact]
    public void Read_WrongEntries_AreSkippedAndTheRestKept()
    {
        File.WriteAllText(_path, """
            { "version": "2.0",
              // comments and trailing commas, as the Functions host accepts
              "LOGGING": { "logLevel": { "Polly": "error", "Loud": "Loud", "Number": 3, "Object": {}, "Host.Results": " None ", "": "None", " ": "None", }, }, }
            """);

        Assert.Equal(new Dictionary<string, LogLevel> { ["Polly"] = LogLevel.Error, ["Host.Results"] = LogLevel.None }, HostJsonLogLevels.Read(_path));
    }

    [Theory]
    [InlineData("{ \"version\": ")]
    [InlineData("[]")]
    [InlineData("{ \"logging\": [] }")]
    [InlineData("{ \"logging\": { \"logLevel\": \"Warning\" } }")]
    [InlineData(null)]
    public void Read_MissingOrBrokenFile_GivesNoLevels(string? json)
    {
        if (json is not null) File.WriteAllText(_path, json);

        Assert.Empty(HostJsonLogLevels.Read(_path));
    }

    [Fact]
    public void AddHostJsonLogLevels_WorkerBuilder_AppliesThemBelowLoggingSettings()
    {
        // The Functions worker's builder is a HostApplicationBuilder reading Logging:LogLevel from its settings.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = ["--Logging:LogLevel:Polly=Information"] });
        builder.Services.AddHostJsonLogLevels(new Dictionary<string, LogLevel> { ["System.Net.Http.HttpClient"] = LogLevel.Warning, ["Polly"] = LogLevel.Error });
        using var host = builder.Build();
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("System.Net.Http.HttpClient.Wallarm.LogicalHandler").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("System.Net.Http.HttpClient.Wallarm.LogicalHandler").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information)); // the setting wins
        Assert.True(loggers.CreateLogger("IncidentFunctions.Incidents.IncidentPuller").IsEnabled(LogLevel.Information));
    }

    public void Dispose() => File.Delete(_path);
}
