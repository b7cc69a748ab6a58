using IncidentFunctions.LocalRunner.Hosting;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>host.json files written for one test and deleted afterwards; the runner reads them by path, as it reads the real one.</summary>
internal sealed class TestHostJson : IDisposable
{
    public TestHostJson(string json)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");
        File.WriteAllText(Path, json);
    }

    public string Path { get; }

    /// <summary>Small polling interval and immediate retries, so queue tests take milliseconds.</summary>
    public const string FastQueues = """
        {
          "version": "2.0",
          "functionTimeout": "00:05:00",
          "extensions": {
            "http": { "routePrefix": "api" },
            "queues": {
              "batchSize": 4,
              "newBatchThreshold": 2,
              "maxDequeueCount": 3,
              "visibilityTimeout": "00:00:00",
              "maxPollingInterval": "00:00:00.200",
              "messageEncoding": "base64"
            }
          }
        }
        """;

    public static HostJsonSettings Load(string json)
    {
        using var file = new TestHostJson(json);
        return HostJsonSettings.Load(file.Path);
    }

    public void Dispose() => File.Delete(Path);
}
