using Azure;
using Azure.Identity;

namespace IncidentFunctions.Storage;

/// <summary>Which exceptions mean "storage is unreachable or refuses us" (after the SDK's own retries), as opposed to a bug.</summary>
public static class StorageFailure
{
    /// <summary>
    /// A service error (<see cref="RequestFailedException"/>: 403, 5xx…), no connection (<see cref="HttpRequestException"/>,
    /// or the SDK's <see cref="AggregateException"/> of its retries), or a credential that cannot get a token.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
        => exception is RequestFailedException or HttpRequestException or AuthenticationFailedException
            || (exception is AggregateException aggregate && aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnavailable));
}
