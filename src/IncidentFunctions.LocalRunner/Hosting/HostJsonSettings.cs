using System.Globalization;
using System.Text.Json;

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
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new HostJsonException($"{source} is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}): {ex.Message}", ex);
        }

        using (document)
        {
            var reader = new Reader(source);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new HostJsonException($"{source} must contain a JSON object.");
            }

            var version = reader.String(root, "version");
            if (version != "2.0")
            {
                throw new HostJsonException(version is null
                    ? $"{source} is missing the required 'version' key; it must be \"2.0\"."
                    : $"{source}: 'version' must be \"2.0\"; got \"{version}\".");
            }

            var extensions = reader.Object(root, "extensions");
            var http = extensions is { } e1 ? reader.Object(e1, "extensions.http", "http") : null;
            var queues = extensions is { } e2 ? reader.Object(e2, "extensions.queues", "queues") : null;

            return new HostJsonSettings
            {
                Source = source,
                RoutePrefix = (http is { } h ? reader.String(h, "routePrefix", "extensions.http.routePrefix") : null)?.Trim('/') ?? Default.RoutePrefix,
                FunctionTimeout = ReadFunctionTimeout(reader, root),
                Queues = queues is { } q ? ReadQueues(reader, q) : new QueueHostSettings(),
            };
        }
    }

    private static TimeSpan? ReadFunctionTimeout(Reader reader, JsonElement root)
    {
        const string Key = "functionTimeout";
        var text = reader.String(root, Key);
        if (text is null) return DefaultFunctionTimeout;
        if (text.Trim() == "-1") return null;
        var timeout = reader.ParseTimeSpan(text, Key);
        return timeout > TimeSpan.Zero ? timeout : throw reader.Invalid(Key, $"must be a positive duration or \"-1\" (unbounded); got \"{text}\"");
    }

    private static QueueHostSettings ReadQueues(Reader reader, JsonElement queues)
    {
        const string Prefix = "extensions.queues.";
        var batchSize = reader.Int(queues, "batchSize", Prefix) ?? QueueHostSettings.DefaultBatchSize;
        if (batchSize is < 1 or > QueueHostSettings.MaxBatchSize)
            throw reader.Invalid(Prefix + "batchSize", $"must be between 1 and {QueueHostSettings.MaxBatchSize}; got {batchSize}");

        var threshold = reader.Int(queues, "newBatchThreshold", Prefix) ?? batchSize / 2;
        if (threshold < 0)
            throw reader.Invalid(Prefix + "newBatchThreshold", $"must not be negative; got {threshold}");

        var maxDequeueCount = reader.Int(queues, "maxDequeueCount", Prefix) ?? QueueHostSettings.DefaultMaxDequeueCount;
        if (maxDequeueCount < 1)
            throw reader.Invalid(Prefix + "maxDequeueCount", $"must be at least 1; got {maxDequeueCount}");

        var visibility = reader.TimeSpan(queues, "visibilityTimeout", Prefix) ?? TimeSpan.Zero;
        if (visibility < TimeSpan.Zero)
            throw reader.Invalid(Prefix + "visibilityTimeout", $"must not be negative; got {visibility}");

        var polling = reader.TimeSpan(queues, "maxPollingInterval", Prefix) ?? QueueHostSettings.DefaultMaxPollingInterval;
        if (polling < QueueHostSettings.MinPollingInterval)
            throw reader.Invalid(Prefix + "maxPollingInterval", $"must be at least {QueueHostSettings.MinPollingInterval}; got {polling}");

        var encodingText = reader.String(queues, "messageEncoding", Prefix + "messageEncoding");
        var encoding = encodingText?.ToUpperInvariant() switch
        {
            null or "BASE64" => HostQueueMessageEncoding.Base64,
            "NONE" => HostQueueMessageEncoding.None,
            _ => throw reader.Invalid(Prefix + "messageEncoding", $"must be \"base64\" or \"none\"; got \"{encodingText}\""),
        };

        return new QueueHostSettings
        {
            BatchSize = batchSize,
            NewBatchThreshold = threshold,
            MaxDequeueCount = maxDequeueCount,
            VisibilityTimeout = visibility,
            MaxPollingInterval = polling,
            MessageEncoding = encoding,
        };
    }

    /// <summary>Case-insensitive key lookup (the host reads host.json through configuration) with typed errors.</summary>
    private sealed class Reader(string source)
    {
        public HostJsonException Invalid(string key, string problem) => new($"{source}: '{key}' {problem}.");

        public JsonElement? Object(JsonElement parent, string key, string? name = null)
        {
            var value = Find(parent, name ?? key);
            if (value is null || value.Value.ValueKind == JsonValueKind.Null) return null;
            return value.Value.ValueKind == JsonValueKind.Object ? value : throw Invalid(key, "must be an object");
        }

        public string? String(JsonElement parent, string name, string? key = null)
        {
            var value = Find(parent, name);
            return value?.ValueKind switch
            {
                null or JsonValueKind.Null => null,
                JsonValueKind.String => value.Value.GetString(),
                _ => throw Invalid(key ?? name, "must be a string"),
            };
        }

        public int? Int(JsonElement parent, string name, string prefix)
        {
            var value = Find(parent, name);
            switch (value?.ValueKind)
            {
                case null or JsonValueKind.Null:
                    return null;
                case JsonValueKind.Number when value.Value.TryGetInt32(out var number):
                    return number;
                case JsonValueKind.String when int.TryParse(value.Value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    throw Invalid(prefix + name, $"must be a whole number; got {value.Value.GetRawText()}");
            }
        }

        public TimeSpan? TimeSpan(JsonElement parent, string name, string prefix)
        {
            var text = String(parent, name, prefix + name);
            return text is null ? null : ParseTimeSpan(text, prefix + name);
        }

        public TimeSpan ParseTimeSpan(string text, string key)
            => System.TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Invalid(key, $"must be a duration like \"00:00:30\" (hh:mm:ss); got \"{text}\"");

        private static JsonElement? Find(JsonElement parent, string name)
        {
            foreach (var property in parent.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
            }

            return null;
        }
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
