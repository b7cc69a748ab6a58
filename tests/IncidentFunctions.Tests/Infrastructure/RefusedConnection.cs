using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// A storage client policy that refuses every request while <see cref="Refusing"/>, as the SDK's transport reports a
/// refused connection (status 0, which its retry policy retries). Added <see cref="HttpPipelinePosition.PerRetry"/>,
/// every try fails and the call ends in the SDK's <see cref="AggregateException"/>, as an outage does.
/// </summary>
internal sealed class RefusedConnection : HttpPipelinePolicy
{
    private volatile bool _refusing;

    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    /// <summary>Which requests are refused while <see cref="Refusing"/>; all when null.</summary>
    public Func<HttpMessage, bool>? Only { get; init; }

    /// <summary>Options with quick retries (an outage's outcome without its wait) and this policy after the retry policy.</summary>
    public T Install<T>(T options)
        where T : ClientOptions
    {
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.Mode = RetryMode.Fixed;
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return options;
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        => _refusing && (Only is null || Only(message))
            ? throw new RequestFailedException(0, "Connection refused (test)", new HttpRequestException("Connection refused (test)"))
            : ProcessNextAsync(message, pipeline);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException("async only");
}
