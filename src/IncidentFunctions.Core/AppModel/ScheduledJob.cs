namespace IncidentFunctions.AppModel;

/// <summary>
/// A timer-triggered job as both hosts see it: the Functions app binds <see cref="ScheduleSetting"/> in its
/// <c>[TimerTrigger("%…%")]</c>; the local runner reads the same setting and calls <see cref="RunAsync"/>.
/// </summary>
public sealed record ScheduledJob(
    string FunctionName,
    string ScheduleSetting,
    Func<IServiceProvider, string> Schedule,
    Func<IServiceProvider, CancellationToken, Task> RunAsync);

/// <summary>
/// A queue-triggered job: its function name, the setting naming its queue, and the message handler. The handler gets
/// the message's bytes as the trigger decoded them (base64 undone, nothing else), so a handler that poisons a
/// message can hand on exactly what it received.
/// </summary>
public sealed record QueueJob(
    string FunctionName,
    string QueueSetting,
    Func<IServiceProvider, string> QueueName,
    Func<IServiceProvider, BinaryData, CancellationToken, Task> Handler)
{
    public Task HandleAsync(IServiceProvider services, BinaryData message, CancellationToken cancellationToken) => Handler(services, message, cancellationToken);

    /// <summary>A message given as text: its UTF-8 bytes.</summary>
    public Task HandleAsync(IServiceProvider services, string message, CancellationToken cancellationToken) => Handler(services, BinaryData.FromString(message), cancellationToken);
}
