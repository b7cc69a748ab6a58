using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Operations;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>
/// The keys of host.json the runner honours, bound from configuration as the Functions host binds the file (keys in
/// any case, numbers also as strings), then checked by <see cref="HostJsonOptionsValidator"/>. A missing key stays
/// <see langword="null"/> and takes the host's default in <see cref="HostJsonSettings"/>.
/// </summary>
internal sealed partial class HostJsonOptions
{
    public string? Version { get; set; }

    /// <summary><c>"-1"</c> (which binds to minus one day) means unbounded.</summary>
    public TimeSpan? FunctionTimeout { get; set; }

    public ExtensionsSection? Extensions { get; set; }

    public LoggingSection? Logging { get; set; }

    public sealed class LoggingSection
    {
        /// <summary>Category prefix (or <c>default</c>) → level name; the keys keep their case.</summary>
        public Dictionary<string, string>? LogLevel { get; set; }
    }

    public sealed class ExtensionsSection
    {
        public HttpSection? Http { get; set; }

        public QueuesSection? Queues { get; set; }
    }

    public sealed class HttpSection
    {
        public string? RoutePrefix { get; set; }
    }

    public sealed class QueuesSection
    {
        public int? BatchSize { get; set; }

        public int? NewBatchThreshold { get; set; }

        public int? MaxDequeueCount { get; set; }

        public TimeSpan? VisibilityTimeout { get; set; }

        public TimeSpan? MaxPollingInterval { get; set; }

        public HostQueueMessageEncoding? MessageEncoding { get; set; }
    }

    public static bool IsUnbounded(TimeSpan functionTimeout) => functionTimeout == TimeSpan.FromDays(-1);

    /// <summary>What a key holds, for the JSON types configuration cannot tell apart and for binding errors.</summary>
    private enum Shape
    {
        Object,
        Text,
        WholeNumber,
        Duration,
        Encoding,
    }

    /// <summary>
    /// Configuration reads every scalar as text and an empty array like an empty object, so <c>"version": 2.0</c>,
    /// <c>"visibilityTimeout": 30</c> (thirty days) or <c>"queues": []</c> would pass unnoticed; these keys are checked
    /// against the JSON itself first. A whole number may also be written as a string, as the host accepts.
    /// </summary>
    private static readonly (string Path, Shape Shape)[] Keys =
    [
        ("version", Shape.Text),
        ("functionTimeout", Shape.Duration),
        ("extensions", Shape.Object),
        ("extensions.http", Shape.Object),
        ("extensions.http.routePrefix", Shape.Text),
        ("extensions.queues", Shape.Object),
        ("extensions.queues.batchSize", Shape.WholeNumber),
        ("extensions.queues.newBatchThreshold", Shape.WholeNumber),
        ("extensions.queues.maxDequeueCount", Shape.WholeNumber),
        ("extensions.queues.visibilityTimeout", Shape.Duration),
        ("extensions.queues.maxPollingInterval", Shape.Duration),
        ("extensions.queues.messageEncoding", Shape.Encoding),
        ("logging", Shape.Object),
        ("logging.logLevel", Shape.Object),
    ];

    /// <summary>Checks the JSON's types, binds it through configuration and validates the values.</summary>
    /// <exception cref="HostJsonException">The text is not a JSON object, or a key has a wrong type or value; the message names <paramref name="source"/> and the key.</exception>
    public static HostJsonOptions Bind(string json, string source)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        CheckShapes(bytes, source);

        using var stream = new MemoryStream(bytes);
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        HostJsonOptions options;
        try
        {
            options = configuration.Get<HostJsonOptions>() ?? new HostJsonOptions();
        }
        catch (InvalidOperationException ex) when (FailedKey().Match(ex.Message) is { Success: true } match)
        {
            var path = match.Groups["path"].Value;
            var key = path.Replace(':', '.');
            var shape = Keys.FirstOrDefault(k => string.Equals(k.Path, key, StringComparison.OrdinalIgnoreCase));
            throw new HostJsonException($"{source}: '{shape.Path ?? key}' {Expectation(shape.Shape)}; got \"{configuration[path]}\".", ex);
        }

        var result = new HostJsonOptionsValidator().Validate(null, options);
        if (result.Failed) throw new HostJsonException($"{source}: {string.Join(" ", result.Failures)}");
        return options;
    }

    private static void CheckShapes(byte[] json, string source)
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
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new HostJsonException($"{source} must contain a JSON object.");
            foreach (var (path, shape) in Keys)
            {
                if (Find(document.RootElement, path) is not { ValueKind: not JsonValueKind.Null } value) continue;
                var fits = shape switch
                {
                    Shape.Object => value.ValueKind == JsonValueKind.Object,
                    Shape.WholeNumber => value.ValueKind is JsonValueKind.Number or JsonValueKind.String,
                    _ => value.ValueKind == JsonValueKind.String,
                };
                if (!fits) throw new HostJsonException($"{source}: '{path}' {Expectation(shape)}; got {value.GetRawText()}.");
            }

            if (Find(document.RootElement, "logging.logLevel") is { ValueKind: JsonValueKind.Object } levels)
            {
                foreach (var level in levels.EnumerateObject().Where(l => l.Value.ValueKind != JsonValueKind.String))
                    throw new HostJsonException($"{source}: 'logging.logLevel.{level.Name}' {Expectation(Shape.Text)}; got {level.Value.GetRawText()}.");
            }
        }
    }

    /// <summary>The value at a dotted path, keys matched in any case; null when a parent is missing or not an object.</summary>
    private static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (var name in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object) return null;
            var next = current.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (next.Value.ValueKind == JsonValueKind.Undefined) return null;
            current = next.Value;
        }

        return current;
    }

    private static string Expectation(Shape shape) => shape switch
    {
        Shape.Object => "must be an object",
        Shape.WholeNumber => "must be a whole number",
        Shape.Duration => "must be a duration like \"00:00:30\" (hh:mm:ss) in a string",
        Shape.Encoding => "must be \"base64\" or \"none\"",
        _ => "must be a string",
    };

    /// <summary>The binder's "Failed to convert configuration value at 'a:b' to type 'T'."</summary>
    [GeneratedRegex("at '(?<path>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex FailedKey();
}

/// <summary>The values host.json may hold, with messages naming the key the way it is written in host.json.</summary>
internal sealed class HostJsonOptionsValidator : IValidateOptions<HostJsonOptions>
{
    public ValidateOptionsResult Validate(string? name, HostJsonOptions options)
    {
        var failures = new List<string>();
        if (options.Version is null) failures.Add("the required 'version' key is missing; it must be \"2.0\".");
        else if (options.Version != "2.0") failures.Add($"'version' must be \"2.0\"; got \"{options.Version}\".");

        if (options.FunctionTimeout is { } timeout && !HostJsonOptions.IsUnbounded(timeout) && timeout <= TimeSpan.Zero)
            failures.Add($"'functionTimeout' must be a positive duration or \"-1\" (unbounded); got {timeout}.");

        if (options.Extensions?.Queues is { } queues)
        {
            const string Prefix = "extensions.queues.";
            if (queues.BatchSize is < 1 or > QueueHostSettings.MaxBatchSize)
                failures.Add($"'{Prefix}batchSize' must be between 1 and {QueueHostSettings.MaxBatchSize}; got {queues.BatchSize}.");
            if (queues.NewBatchThreshold < 0)
                failures.Add($"'{Prefix}newBatchThreshold' must not be negative; got {queues.NewBatchThreshold}.");
            if (queues.MaxDequeueCount < 1)
                failures.Add($"'{Prefix}maxDequeueCount' must be at least 1; got {queues.MaxDequeueCount}.");
            if (queues.VisibilityTimeout < TimeSpan.Zero)
                failures.Add($"'{Prefix}visibilityTimeout' must not be negative; got {queues.VisibilityTimeout}.");
            if (queues.MaxPollingInterval < QueueHostSettings.MinPollingInterval)
                failures.Add($"'{Prefix}maxPollingInterval' must be at least {QueueHostSettings.MinPollingInterval}; got {queues.MaxPollingInterval}.");
        }

        foreach (var (category, level) in options.Logging?.LogLevel ?? [])
        {
            if (string.IsNullOrWhiteSpace(category))
                failures.Add("'logging.logLevel' has an entry without a category name; name one, or use \"default\" for all.");
            else if (HostJsonLogLevels.Parse(level) is null)
                failures.Add($"'logging.logLevel.{category}' must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}; got \"{level}\".");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
