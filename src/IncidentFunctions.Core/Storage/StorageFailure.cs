using Azure;
using Azure.Identity;

namespace IncidentFunctions.Storage;

/// <summary>Which exceptions mean "storage is unreachable or refuses us" (after the SDK's own retries), as opposed to a bug.</summary>
public static class StorageFailure
{
    /// <summary>
    /// A service error or no connection (<see cref="RequestFailedException"/>: 403, 5xx, refused…, which the SDK also
    /// throws for transport failures; or its <see cref="AggregateException"/> of failed retries), or a credential that
    /// cannot get a token. A plain <see cref="HttpRequestException"/> is not storage's: it comes from another HTTP client.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
        => exception is RequestFailedException or AuthenticationFailedException
            || (exception is AggregateException aggregate && aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnavailable));

    /// <summary>
    /// The exception to log beside a line that already describes the failure: none when storage is unavailable (its
    /// stack says nothing the line does not, and an outage repeats it on every request and poll), else the exception.
    /// </summary>
    public static Exception? StackFor(Exception exception) => IsUnavailable(exception) ? null : exception;
}
