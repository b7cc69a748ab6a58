using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Queues;

/// <summary>Starts one <see cref="QueueListener"/> per <see cref="QueueJob"/> registered in DI, and stops them.</summary>
internal sealed class QueueListenerHost(
    IEnumerable<QueueJob> jobs,
    IServiceProvider services,
    IOptions<LocalRunnerOptions> options,
    ILogger<QueueListenerHost> logger) : IHostedService, IDisposable
{
    private List<QueueListener> _listeners = [];

    internal IReadOnlyList<QueueListener> Listeners => _listeners;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.EnableQueues)
        {
            QueueLog.Disabled(logger);
            return;
        }

        var queueJobs = jobs.ToList();
        if (queueJobs.Count == 0) return;

        // Resolved only when there is something to listen to, so HTTP-only hosts need no queue storage. The trigger
        // reads message text as stored and decodes base64 itself, so a body that is not base64 is noticed (and
        // poisoned) instead of failing the whole receive inside the SDK; StorageClients.Queues stays the base64 producer.
        var rawQueues = services.GetRequiredService<StorageClients>().UndecodedQueues;
        var hostJson = services.GetRequiredService<HostJsonSettings>();
        var time = services.GetRequiredService<TimeProvider>();
        var listenerLogger = services.GetRequiredService<ILogger<QueueListener>>();
        _listeners = [.. queueJobs.Select(job => new QueueListener(job, job.QueueName(services), rawQueues, hostJson, services, time, listenerLogger))];
        foreach (var listener in _listeners)
        {
            await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
        => Task.WhenAll(_listeners.Select(l => l.StopAsync(cancellationToken)));

    public void Dispose()
    {
        foreach (var listener in _listeners) listener.Dispose();
    }
}
