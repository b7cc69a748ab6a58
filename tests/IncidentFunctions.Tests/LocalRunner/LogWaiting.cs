using Microsoft.Extensions.Logging.Testing;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>Waits for log records instead of sleeping: the runner's services say what they did through their logs.</summary>
internal static class LogWaiting
{
    /// <summary>Long enough never to trip on a slow machine; a broken service fails with the log so far instead of hanging.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The <paramref name="occurrence"/>-th record with <paramref name="eventId"/>, counting those already logged.</summary>
    public static Task<FakeLogRecord> WaitForEventAsync(this FakeLogCollector logs, int eventId, int occurrence = 1)
        => logs.WaitForAsync(r => r.Id.Id == eventId, occurrence, $"event {eventId} #{occurrence}");

    public static async Task<FakeLogRecord> WaitForAsync(this FakeLogCollector logs, Func<FakeLogRecord, bool> match, int occurrence, string what)
    {
        var testToken = TestContext.Current.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        cts.CancelAfter(Timeout);
        var seen = 0;
        try
        {
            await foreach (var record in logs.GetLogsAsync(cts.Token))
            {
                if (match(record) && ++seen == occurrence) return record;
            }
        }
        catch (OperationCanceledException) when (!testToken.IsCancellationRequested)
        {
        }

        var logged = string.Join(Environment.NewLine, logs.GetSnapshot().Select(r => $"  [{r.Id.Id}] {r.Level}: {r.Message}"));
        throw new TimeoutException($"No log record for {what} within {Timeout.TotalSeconds} s (saw {seen}). Logged:{Environment.NewLine}{logged}");
    }

    /// <summary>A structured value of a log record. The fake logger keeps values as invariant strings; this reads them back.</summary>
    public static T Value<T>(this FakeLogRecord record, string name)
    {
        var text = record.GetStructuredStateValue(name)
            ?? throw new InvalidOperationException($"Log record [{record.Id.Id}] '{record.Message}' has no value '{name}'.");
        return (T)System.ComponentModel.TypeDescriptor.GetConverter(typeof(T)).ConvertFromInvariantString(text)!;
    }

    /// <summary>Completes within <see cref="Timeout"/> or fails the test instead of hanging it.</summary>
    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);

    public static Task Within(this Task task) => task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
}
