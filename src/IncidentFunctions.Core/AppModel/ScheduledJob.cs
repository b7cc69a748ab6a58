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

/// <summary>A queue-triggered job: its function name, the setting naming its queue, and the message handler.</summary>
public sealed record QueueJob(
    string FunctionName,
    string QueueSetting,
    Func<IServiceProvider, string> QueueName,
    Func<IServiceProvider, string, CancellationToken, Task> HandleAsync);
