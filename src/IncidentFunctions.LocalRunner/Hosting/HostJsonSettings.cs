namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>
/// The parts of host.json the runner honours, with the Functions host's documented defaults for every missing key.
/// The Functions app ships the same file, so both hosts dispatch queues, timers and HTTP alike.
/// </summary>
public sealed record HostJsonSettings
{
    public const string FileName = "host.json";

    /// <summary>Default for Flex Consumption, Premium and Dedicated plans (Consumption would be 5 minutes).</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>All defaults, as if host.json had only <c>"version": "2.0"</c>.</summary>
    public static HostJsonSettings Default { get; } = new();

    /// <summary>Where the settings came from, for messages.</summary>
    public string Source { get; init; } = "(defaults)";

    /// <summary><c>extensions.http.routePrefix</c> without slashes; empty means routes sit at the root.</summary>
    public string RoutePrefix { get; init; } = "api";

    /// <summary><c>functionTimeout</c>; <see langword="null"/> when host.json says <c>-1</c> (unbounded).</summary>
    public TimeSpan? FunctionTimeout { get; init; } = DefaultFunctionTimeout;

    public QueueHostSettings Queues { get; init; } = new();

    /// <summary>Reads and validates a host.json file.</summary>
    /// <exception cref="HostJsonException">The file is missing, is not JSON, or a key has a wrong type or value.</exception>
    public static HostJsonSettings Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        string json;
        try
        {
            json = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HostJsonException($"Cannot read {fullPath}: {ex.Message} Set LocalRunner:HostJsonPath to the app's host.json, or put one beside the runner.", ex);
        }

        return Parse(json, fullPath);
    }

    /// <summary>Parses host.json text; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="HostJsonException">Not JSON, or a key has a wrong type or value.</exception>
    public static HostJsonSettings Parse(string json, string source)
    {
        var options = HostJsonOptions.Bind(json, source);
        var queues = options.Extensions?.Queues;
        var batchSize = queues?.BatchSize ?? QueueHostSettings.DefaultBatchSize;
        return new HostJsonSettings
        {
            Source = source,
            RoutePrefix = options.Extensions?.Http?.RoutePrefix?.Trim('/') ?? Default.RoutePrefix,
            FunctionTimeout = options.FunctionTimeout is not { } timeout ? DefaultFunctionTimeout : HostJsonOptions.IsUnbounded(timeout) ? null : timeout,
            Queues = new QueueHostSettings
            {
                BatchSize = batchSize,
                NewBatchThreshold = queues?.NewBatchThreshold ?? batchSize / 2,
                MaxDequeueCount = queues?.MaxDequeueCount ?? QueueHostSettings.DefaultMaxDequeueCount,
                VisibilityTimeout = queues?.VisibilityTimeout ?? TimeSpan.Zero,
                MaxPollingInterval = queues?.MaxPollingInterval ?? QueueHostSettings.DefaultMaxPollingInterval,
                MessageEncoding = queues?.MessageEncoding ?? HostQueueMessageEncoding.Base64,
            },
        };
    }
}

/// <summary><c>extensions.queues</c> of host.json, as the queue trigger applies it per function.</summary>
public sealed record QueueHostSettings
{
    public const int DefaultBatchSize = 16;
    public const int MaxBatchSize = 32;
    public const int DefaultMaxDequeueCount = 5;
    public static readonly TimeSpan DefaultMaxPollingInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Messages fetched (and run in parallel) at once.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Fetch again when in-flight messages drop to this; defaults to half the batch size (one vCPU, as on Consumption and Flex).</summary>
    public int NewBatchThreshold { get; init; } = DefaultBatchSize / 2;

    /// <summary>A message that failed this many times moves to <c>&lt;queue&gt;-poison</c>.</summary>
    public int MaxDequeueCount { get; init; } = DefaultMaxDequeueCount;

    /// <summary>How long a failed message stays invisible before it is retried.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Ceiling of the exponential back-off while the queue is empty.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = DefaultMaxPollingInterval;

    public HostQueueMessageEncoding MessageEncoding { get; init; } = HostQueueMessageEncoding.Base64;

    /// <summary>The most messages in flight at once: a full batch fetched while <see cref="NewBatchThreshold"/> still run.</summary>
    public int MaxConcurrency => BatchSize + NewBatchThreshold;
}

/// <summary>host.json <c>extensions.queues.messageEncoding</c>.</summary>
public enum HostQueueMessageEncoding
{
    Base64,
    None,
}

/// <summary>host.json is unreadable or has a wrong value; the message names the file and the key.</summary>
public sealed class HostJsonException : Exception
{
    public HostJsonException()
    {
    }

    public HostJsonException(string message)
        : base(message)
    {
    }

    public HostJsonException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
