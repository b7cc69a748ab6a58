using Azure;
using Polly.Timeout;

namespace IncidentFunctions.AppModel;

/// <summary>
/// A failed call in a few words, for a log line that names an outage without a stack trace: what the service answered,
/// or the exception's type and message, on one line and bounded. The Azure SDK's "retry failed after N tries" wrapper
/// is unwrapped to its last attempt (its own message is advice about SDK settings, and hid the cause past the bound).
/// </summary>
public static class FailureText
{
    /// <summary>The most characters a description has (a credential's chain of failures can run to kilobytes).</summary>
    public const int MaxChars = 300;

    public static string Describe(Exception exception)
    {
        var text = Of(exception);
        return text.Length <= MaxChars ? text : string.Concat(text.AsSpan(0, MaxChars), "…");
    }

    /// <summary>The same description unbounded, for a caller that bounds what it stores its own way.</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Text(exception);
    }

    private static string Text(Exception exception) => exception switch
    {
        TimeoutRejectedException timeout => $"timed out after {timeout.Timeout}",
        AggregateException { InnerExceptions.Count: 1 } single => Text(single.InnerExceptions[0]),
        AggregateException { InnerExceptions.Count: > 1 } attempts => $"{attempts.InnerExceptions.Count} attempts failed, the last: {Text(attempts.InnerExceptions[^1])}",
        // The SDK reports a transport failure as a status-less RequestFailedException around the real cause.
        RequestFailedException { Status: 0, InnerException: { } cause } => Text(cause),
        RequestFailedException failed => string.IsNullOrEmpty(failed.ErrorCode) ? $"answered {failed.Status}" : $"answered {failed.Status} ({OneLine(failed.ErrorCode)})",
        _ => $"{exception.GetType().Name}: {OneLine(exception.Message)}",
    };

    /// <summary>The text with its line breaks (and the blanks around them) turned into single spaces.</summary>
    public static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
