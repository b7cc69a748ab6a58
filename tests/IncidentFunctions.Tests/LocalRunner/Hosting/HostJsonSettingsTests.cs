using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

[Trait("Category", TestCategories.Integration)]
public sealed class HostJsonSettingsTests
{
    [Fact]
    public void Parse_OnlyVersion_UsesTheFunctionsHostDefaults()
    {
        var settings = HostJsonSettings.Parse("""{ "version": "2.0" }""", "host.json");

        Assert.Equal("api", settings.RoutePrefix);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.FunctionTimeout);
        Assert.Equal(16, settings.Queues.BatchSize);
        Assert.Equal(8, settings.Queues.NewBatchThreshold);
        Assert.Equal(5, settings.Queues.MaxDequeueCount);
        Assert.Equal(TimeSpan.Zero, settings.Queues.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Queues.MaxPollingInterval);
        Assert.Equal(HostQueueMessageEncoding.Base64, settings.Queues.MessageEncoding);
        Assert.Equal(HostJsonSettings.Default with { Source = "host.json" }, settings);
    }

    [Fact]
    public void Parse_EmptySections_UseTheDefaults()
    {
        var settings = HostJsonSettings.Parse("""{ "version": "2.0", "extensions": { "http": {}, "queues": {} } }""", "host.json");

        Assert.Equal(HostJsonSettings.Default with { Source = "host.json" }, settings);
    }

    [Theory]
    [InlineData(10, 5)]
    [InlineData(1, 0)]
    [InlineData(32, 16)]
    public void Parse_BatchSizeWithoutThreshold_ThresholdIsHalfTheBatchSize(int batchSize, int expectedThreshold)
    {
        var settings = HostJsonSettings.Parse($$"""{ "version": "2.0", "extensions": { "queues": { "batchSize": {{batchSize}} } } }""", "host.json");

        Assert.Equal(batchSize, settings.Queues.BatchSize);
        Assert.Equal(expectedThreshold, settings.Queues.NewBatchThreshold);
        Assert.Equal(batchSize + expectedThreshold, settings.Queues.MaxConcurrency);
    }

    [Fact]
    public void Load_RepositoryHostJson_ReadsItsValues()
    {
        var settings = HostJsonSettings.Load(Path.Combine(AzuriteFixture.RepositoryRoot, "host.json"));

        Assert.Equal("api", settings.RoutePrefix);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.FunctionTimeout);
        Assert.Equal(new QueueHostSettings
        {
            BatchSize = 16,
            NewBatchThreshold = 8,
            MaxDequeueCount = 5,
            VisibilityTimeout = TimeSpan.FromSeconds(30),
            MaxPollingInterval = TimeSpan.FromSeconds(10),
            MessageEncoding = HostQueueMessageEncoding.Base64,
        }, settings.Queues);
    }

    [Fact]
    public void Load_CopyBesideTheRunner_MatchesTheRepositoryHostJson()
    {
        var beside = HostJsonSettings.Load(new LocalRunnerOptions().ResolveHostJsonPath());
        var repository = HostJsonSettings.Load(Path.Combine(AzuriteFixture.RepositoryRoot, "host.json"));

        Assert.Equal(repository with { Source = "" }, beside with { Source = "" });
    }

    [Fact]
    public void Parse_EveryQueueKeySet_ReadsThem()
    {
        var settings = HostJsonSettings.Parse("""
            {
              // comments are allowed, as in the Functions host
              "version": "2.0",
              "functionTimeout": "01:02:03",
              "extensions": {
                "http": { "routePrefix": "/v1/" },
                "queues": {
                  "batchSize": "4",
                  "newBatchThreshold": 0,
                  "maxDequeueCount": 1,
                  "visibilityTimeout": "00:00:05",
                  "maxPollingInterval": "00:00:00.100",
                  "messageEncoding": "None",
                },
              },
            }
            """, "host.json");

        Assert.Equal("v1", settings.RoutePrefix);
        Assert.Equal(new TimeSpan(1, 2, 3), settings.FunctionTimeout);
        Assert.Equal(new QueueHostSettings
        {
            BatchSize = 4,
            NewBatchThreshold = 0,
            MaxDequeueCount = 1,
            VisibilityTimeout = TimeSpan.FromSeconds(5),
            MaxPollingInterval = TimeSpan.FromMilliseconds(100),
            MessageEncoding = HostQueueMessageEncoding.None,
        }, settings.Queues);
    }

    [Fact]
    public void Parse_KeysInAnotherCase_AreRead()
    {
        var settings = HostJsonSettings.Parse("""{ "Version": "2.0", "Extensions": { "Queues": { "BatchSize": 2 }, "HTTP": { "RoutePrefix": "x" } } }""", "host.json");

        Assert.Equal(2, settings.Queues.BatchSize);
        Assert.Equal("x", settings.RoutePrefix);
    }

    [Fact]
    public void Parse_EmptyRoutePrefix_PutsRoutesAtTheRoot()
    {
        var settings = HostJsonSettings.Parse("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "" } } }""", "host.json");

        Assert.Equal("", settings.RoutePrefix);
    }

    [Fact]
    public void Parse_FunctionTimeoutMinusOne_IsUnbounded()
    {
        var settings = HostJsonSettings.Parse("""{ "version": "2.0", "functionTimeout": "-1" }""", "host.json");

        Assert.Null(settings.FunctionTimeout);
    }

    [Fact]
    public void Parse_NotJson_FailsNamingTheFile()
    {
        var ex = Assert.Throws<HostJsonException>(() => HostJsonSettings.Parse("""{ "version": "2.0", """, "/srv/app/host.json"));

        Assert.Contains("/srv/app/host.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"2.0\"")]
    [InlineData("null")]
    public void Parse_RootNotAnObject_FailsNamingTheFile(string json)
    {
        var ex = Assert.Throws<HostJsonException>(() => HostJsonSettings.Parse(json, "/srv/app/host.json"));

        Assert.Equal("/srv/app/host.json must contain a JSON object.", ex.Message);
    }

    [Fact]
    public void Parse_MissingVersion_FailsNamingTheKey()
    {
        var ex = Assert.Throws<HostJsonException>(() => HostJsonSettings.Parse("""{ "extensions": {} }""", "/srv/app/host.json"));

        Assert.Contains("/srv/app/host.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'version'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 33 } } }""", "extensions.queues.batchSize")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 0 } } }""", "extensions.queues.batchSize")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "batchSize": "many" } } }""", "extensions.queues.batchSize")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "newBatchThreshold": -1 } } }""", "extensions.queues.newBatchThreshold")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "maxDequeueCount": 0 } } }""", "extensions.queues.maxDequeueCount")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "visibilityTimeout": "soon" } } }""", "extensions.queues.visibilityTimeout")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "visibilityTimeout": 30 } } }""", "extensions.queues.visibilityTimeout")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "maxPollingInterval": "00:00:00.050" } } }""", "extensions.queues.maxPollingInterval")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "messageEncoding": "utf8" } } }""", "extensions.queues.messageEncoding")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": [] } }""", "extensions.queues")]
    [InlineData("""{ "version": "2.0", "extensions": { "http": { "routePrefix": 1 } } }""", "extensions.http.routePrefix")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "00:00:00" }""", "functionTimeout")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "half an hour" }""", "functionTimeout")]
    [InlineData("""{ "version": "1.0" }""", "version")]
    [InlineData("""{ "version": 2.0 }""", "version")]
    [InlineData("""{ "version": "2.0", "extensions": "queues" }""", "extensions")]
    [InlineData("""{ "version": "2.0", "extensions": { "http": [] } }""", "extensions.http")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "maxDequeueCount": 1.5 } } }""", "extensions.queues.maxDequeueCount")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "newBatchThreshold": "half" } } }""", "extensions.queues.newBatchThreshold")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "visibilityTimeout": "-00:00:01" } } }""", "extensions.queues.visibilityTimeout")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "maxPollingInterval": 60 } } }""", "extensions.queues.maxPollingInterval")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "messageEncoding": 1 } } }""", "extensions.queues.messageEncoding")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "-00:05:00" }""", "functionTimeout")]
    [InlineData("""{ "version": "2.0", "functionTimeout": 300 }""", "functionTimeout")]
    [InlineData("""{ "version": "2.0", "logging": [] }""", "logging")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": "Warning" } }""", "logging.logLevel")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": { "default": "Loud" } } }""", "logging.logLevel.default")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": { "Function": "2" } } }""", "logging.logLevel.Function")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": { "Host.Results": 4 } } }""", "logging.logLevel.Host.Results")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": { "Polly": { "level": "Debug" } } } }""", "logging.logLevel.Polly")]
    [InlineData("""{ "version": "2.0", "logging": { "logLevel": { "": "None" } } }""", "logging.logLevel")]
    public void Parse_WrongValue_FailsNamingTheFileAndKey(string json, string key)
    {
        var ex = Assert.Throws<HostJsonException>(() => HostJsonSettings.Parse(json, "/srv/app/host.json"));

        Assert.StartsWith("/srv/app/host.json: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_FailsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "host.json");

        var ex = Assert.Throws<HostJsonException>(() => HostJsonSettings.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TestFile_SourceIsItsFullPath()
    {
        using var file = new TestHostJson(TestHostJson.FastQueues);

        var settings = HostJsonSettings.Load(file.Path);

        Assert.Equal(Path.GetFullPath(file.Path), settings.Source);
        Assert.Equal(TimeSpan.FromMilliseconds(200), settings.Queues.MaxPollingInterval);
    }
}
