using IncidentFunctions.LocalRunner.Hosting;

namespace IncidentFunctions.LocalRunner.Queues;

internal static partial class QueueLog
{
    [LoggerMessage(EventId = 9300, Level = LogLevel.Information, Message = "Queue trigger '{FunctionName}' listening on '{Queue}' (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, encoding {Encoding})")]
    public static partial void Listening(ILogger logger, string functionName, string queue, int batchSize, int newBatchThreshold, HostQueueMessageEncoding encoding);

    [LoggerMessage(EventId = 9301, Level = LogLevel.Information, Message = "Executing 'Functions.{FunctionName}' (Reason='New queue message detected on '{Queue}'.', MessageId={MessageId}, DequeueCount={DequeueCount}, Id={InvocationId})")]
    public static partial void Executing(ILogger logger, string functionName, string queue, string messageId, long dequeueCount, Guid invocationId);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, MessageId={MessageId}, Id={InvocationId}, Duration={Duration}); message deleted")]
    public static partial void Executed(ILogger logger, string functionName, string messageId, Guid invocationId, TimeSpan duration);

    [LoggerMessage(EventId = 9303, Level = LogLevel.Error, Message = "Executed 'Functions.{FunctionName}' (Failed, MessageId={MessageId}, attempt {DequeueCount} of {MaxDequeueCount}, Id={InvocationId}, Duration={Duration})")]
    public static partial void Failed(ILogger logger, Exception exception, string functionName, string messageId, long dequeueCount, int maxDequeueCount, Guid invocationId, TimeSpan duration);

    [LoggerMessage(EventId = 9304, Level = LogLevel.Warning, Message = "Message {MessageId} moved from '{Queue}' to '{PoisonQueue}': {Reason}")]
    public static partial void MovedToPoison(ILogger logger, string messageId, string queue, string poisonQueue, string reason);

    [LoggerMessage(EventId = 9305, Level = LogLevel.Error, Message = "Message {MessageId} on '{Queue}' is not valid base64, which host.json's messageEncoding requires; moving it to '{PoisonQueue}' without running the function. Producers must send with QueueMessageEncoding.Base64")]
    public static partial void BadEncoding(ILogger logger, string messageId, string queue, string poisonQueue);

    [LoggerMessage(EventId = 9306, Level = LogLevel.Error, Message = "Timeout value of {Timeout} exceeded by function 'Functions.{FunctionName}' (MessageId={MessageId}, Id={InvocationId}); the message counts as failed")]
    public static partial void TimedOut(ILogger logger, Exception exception, string functionName, string messageId, Guid invocationId, TimeSpan timeout);

    [LoggerMessage(EventId = 9307, Level = LogLevel.Information, Message = "'Functions.{FunctionName}' (MessageId={MessageId}, Id={InvocationId}) was cancelled at shutdown; the message is visible again")]
    public static partial void ReleasedAtShutdown(ILogger logger, string functionName, string messageId, Guid invocationId);

    /// <param name="exception">Null for an outage (storage refused or did not answer: <paramref name="failure"/> says it all); otherwise the fault, with its stack trace.</param>
    [LoggerMessage(EventId = 9308, Level = LogLevel.Warning, Message = "Queue '{Queue}' is unavailable ({Failure}); retrying in {Delay}")]
    public static partial void StorageUnavailable(ILogger logger, Exception? exception, string queue, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 9309, Level = LogLevel.Warning, Message = "Could not settle message {MessageId} on '{Queue}'; it becomes visible again when its lease runs out")]
    public static partial void SettleFailed(ILogger logger, Exception exception, string messageId, string queue);

    [LoggerMessage(EventId = 9310, Level = LogLevel.Debug, Message = "Message {MessageId} on '{Queue}' kept invisible until {NextVisibleOn:o}")]
    public static partial void VisibilityRenewed(ILogger logger, string messageId, string queue, DateTimeOffset nextVisibleOn);

    [LoggerMessage(EventId = 9311, Level = LogLevel.Warning, Message = "Could not extend the lease of message {MessageId} on '{Queue}'; another instance may run it too")]
    public static partial void RenewFailed(ILogger logger, Exception exception, string messageId, string queue);

    [LoggerMessage(EventId = 9312, Level = LogLevel.Information, Message = "Queue triggers are disabled (LocalRunner:EnableQueues is false)")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(EventId = 9313, Level = LogLevel.Debug, Message = "Queue '{Queue}': {InFlight} message(s) in flight, above newBatchThreshold {NewBatchThreshold}; next fetch when one finishes")]
    public static partial void WaitingForInFlight(ILogger logger, string queue, int inFlight, int newBatchThreshold);
}
