using System.Collections.Concurrent;
using System.Diagnostics;

[assembly: AssemblyFixture(typeof(IncidentFunctions.Tests.Infrastructure.OutboundHttpRecorder))]

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// Every HTTP request the test process sends through .NET's socket handler, from any host or client (the Azure SDK's
/// storage and identity clients too, which <see cref="LocalOnlyHttp"/> does not see), is checked against this machine:
/// one to another address fails the run when the assembly's tests end, naming its host and the test (not the path or
/// query, which can hold a webhook's secret). The socket handler reports each
/// request to the <c>HttpHandlerDiagnosticListener</c> before it connects; recording cannot stop that request (a name may
/// already be looked up), which is why the test hosts also refuse earlier.
/// </summary>
public sealed class OutboundHttpRecorder : IObserver<DiagnosticListener>, IAsyncDisposable
{
    private const string HandlerListener = "HttpHandlerDiagnosticListener";
    private const string RequestStart = "System.Net.Http.HttpRequestOut.Start";

    private static readonly ConcurrentQueue<(Uri Uri, string Test)> Sent = new();
    private readonly IDisposable _subscription;
    private readonly ConcurrentBag<IDisposable> _listeners = [];

    public OutboundHttpRecorder()
    {
        // The telemetry exporter's own usage reports ("statsbeat") ask the instance metadata endpoint for the VM and
        // send to Microsoft's ingestion from every host that exports; tests that build such hosts turn them off here.
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true");
        _subscription = DiagnosticListener.AllListeners.Subscribe(this);
    }

    /// <summary>Requests beyond this machine seen so far in this process.</summary>
    public static IReadOnlyCollection<Uri> Beyond => [.. Sent.Select(s => s.Uri)];

    /// <summary>For a test that sends one on purpose (and knows it cannot connect).</summary>
    internal static void Forget(Func<Uri, bool> match)
    {
        var keep = Sent.Where(s => !match(s.Uri)).ToList();
        Sent.Clear();
        foreach (var sent in keep) Sent.Enqueue(sent);
    }

    public void OnNext(DiagnosticListener value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Name == HandlerListener) _listeners.Add(value.Subscribe(new Events(), (name, _, _) => name.StartsWith("System.Net.Http.HttpRequestOut", StringComparison.Ordinal)));
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        foreach (var listener in _listeners) listener.Dispose();
        if (!Sent.IsEmpty)
        {
            throw new InvalidOperationException(
                "The tests sent HTTP requests beyond this machine: "
                + string.Join("; ", Sent.Select(s => $"{s.Uri.GetLeftPart(UriPartial.Authority)} ({s.Test})").Distinct(StringComparer.Ordinal)));
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Events : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            // The payload is an internal type with a Request property (the documented shape of this event).
            if (value.Key != RequestStart || value.Value is null) return;
            var request = value.Value.GetType().GetProperty("Request")?.GetValue(value.Value) as HttpRequestMessage;
            if (request?.RequestUri is not { IsAbsoluteUri: true } uri || LocalOnlyHttp.IsLocal(uri)) return;
            // The test whose code sent it, where the request still runs in its context (a background flush does not).
            Sent.Enqueue((uri, TestContext.Current.Test?.TestDisplayName ?? "outside any test"));
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
