using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.Storage;

namespace IncidentFunctions.LocalRunner.Queues;

/// <summary>
/// Dispatches one queue to one <see cref="QueueJob"/> the way the Functions queue trigger does with host.json's
/// <c>extensions.queues</c>: batches of <c>batchSize</c> run in parallel, the next batch is fetched once in-flight
/// messages drop to <c>newBatchThreshold</c>, failures are retried after <c>visibilityTimeout</c> and moved to
/// <c>&lt;queue&gt;-poison</c> at <c>maxDequeueCount</c>, and an empty queue is polled with exponential back-off from
/// 100 ms up to <c>maxPollingInterval</c>.
/// </summary>
internal sealed class QueueListener(
    QueueJob job,
    string queueName,
    QueueServiceClient rawQueues,
    HostJsonSettings hostJson,
    IServiceProvider services,
    TimeProvider time,
    ILogger<QueueListener> logger) : BackgroundService
{
    /// <summary>A message in flight stays invisible this long and is renewed at half of it, as the Functions host does.</summary>
    internal static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(10);

    private readonly QueueHostSettings _settings = hostJson.Queues;
    private readonly QueueClient _queue = rawQueues.GetQueueClient(queueName);
    private readonly QueueClient _poison = rawQueues.GetQueueClient(PoisonQueueName(queueName));

    public string QueueName => queueName;

    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        var idleDelay = QueueHostSettings.MinPollingInterval;
        try
        {
            await EnsureQueuesAsync(stoppingToken).ConfigureAwait(false);
            QueueLog.Listening(logger, job.FunctionName, queueName, _settings.BatchSize, _settings.NewBatchThreshold, _settings.MessageEncoding);
            while (true)
            {
                running.RemoveAll(t => t.IsCompleted);
                if (running.Count > _settings.NewBatchThreshold)
                {
                    QueueLog.WaitingForInFlight(logger, queueName, running.Count, _settings.NewBatchThreshold);
                    await Task.WhenAny(running).WaitAsync(stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var messages = await ReceiveAsync(stoppingToken).ConfigureAwait(false);
                if (messages is null or { Length: 0 })
                {
                    await Task.Delay(idleDelay, time, stoppingToken).ConfigureAwait(false);
                    idleDelay = idleDelay * 2 < _settings.MaxPollingInterval ? idleDelay * 2 : _settings.MaxPollingInterval;
                    continue;
                }

                idleDelay = QueueHostSettings.MinPollingInterval;
                foreach (var message in messages)
                {
                    // Off the receive loop, so a handler that blocks before its first await cannot stall the batch.
                    running.Add(Task.Run(() => ProcessAsync(message, stoppingToken), CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: handlers see the same token; their messages are released below.
        }
        finally
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task EnsureQueuesAsync(CancellationToken cancellationToken)
    {
        var delay = QueueHostSettings.MinPollingInterval;
        while (true)
        {
            try
            {
                await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Like the Functions host, a listener that cannot start keeps retrying instead of stopping the app.
                LogUnavailable(ex, delay);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < _settings.MaxPollingInterval ? delay * 2 : _settings.MaxPollingInterval;
            }
        }
    }

    /// <summary>An outage in one line, once per poll while it lasts; anything else (a fault of the program) with its stack trace.</summary>
    private void LogUnavailable(Exception exception, TimeSpan delay)
        => QueueLog.StorageUnavailable(logger, StorageFailure.StackFor(exception), queueName, FailureText.Describe(exception), delay);

    private async Task<QueueMessage[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _queue.ReceiveMessagesAsync(_settings.BatchSize, ProcessingVisibility, cancellationToken).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            LogUnavailable(ex, TimeSpan.Zero);
            await EnsureQueuesAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage errors (the SDK has already retried) count as an empty poll: the back-off keeps a storage outage from becoming a hot loop.
            LogUnavailable(ex, QueueHostSettings.MinPollingInterval);
            return null;
        }
    }

    /// <summary>Runs the handler for one message and settles the message; never throws.</summary>
    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > _settings.MaxDequeueCount)
            {
                // Left over from a run that stopped before it could poison it.
                await MoveToPoisonAsync(message, message.PopReceipt, $"dequeue count {message.DequeueCount} is above maxDequeueCount {_settings.MaxDequeueCount}").ConfigureAwait(false);
                return;
            }

            if (!TryDecode(message.Body, out var body))
            {
                QueueLog.BadEncoding(logger, message.MessageId, queueName, PoisonQueueName(queueName));
                await MoveToPoisonAsync(message, message.PopReceipt, "its body is not valid base64 (host.json messageEncoding is base64)").ConfigureAwait(false);
                return;
            }

            await RunHandlerAsync(message, body, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Settling failed (storage down, message gone); the message reappears after its visibility timeout.
            QueueLog.SettleFailed(logger, ex, message.MessageId, queueName);
        }
    }

    private async Task RunHandlerAsync(QueueMessage message, BinaryData body, CancellationToken stoppingToken)
    {
        using var timeout = hostJson.FunctionTimeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var invocationId = Guid.NewGuid();
        var started = time.GetTimestamp();
        QueueLog.Executing(logger, job.FunctionName, queueName, message.MessageId, message.DequeueCount, invocationId);

        using var lease = new VisibilityLease(_queue, message, time, logger);
        Exception? failure = null;
        try
        {
            var scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await job.HandleAsync(scope.ServiceProvider, body, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && !timeout.IsCancellationRequested)
        {
            // Not the message's fault: make it visible again right away for the next start.
            var popReceipt = await lease.StopAsync().ConfigureAwait(false);
            QueueLog.ReleasedAtShutdown(logger, job.FunctionName, message.MessageId, invocationId);
            await _queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        var receipt = await lease.StopAsync().ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started);
        if (failure is null)
        {
            await _queue.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None).ConfigureAwait(false);
            QueueLog.Executed(logger, job.FunctionName, message.MessageId, invocationId, elapsed);
            return;
        }

        if (timeout.IsCancellationRequested)
        {
            var configured = hostJson.FunctionTimeout ?? Timeout.InfiniteTimeSpan;
            QueueLog.TimedOut(logger, failure, job.FunctionName, message.MessageId, invocationId, configured);
        }
        else
        {
            QueueLog.Failed(logger, failure, job.FunctionName, message.MessageId, message.DequeueCount, _settings.MaxDequeueCount, invocationId, elapsed);
        }

        if (message.DequeueCount >= _settings.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, receipt, $"it failed {message.DequeueCount} time(s), reaching maxDequeueCount").ConfigureAwait(false);
        }
        else
        {
            await _queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the original body, unchanged (the raw client sends the stored text as it is), to the poison queue, then deletes the original.</summary>
    private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt, string reason)
    {
        await _poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        await _queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None).ConfigureAwait(false);
        QueueLog.MovedToPoison(logger, message.MessageId, queueName, PoisonQueueName(queueName), reason);
    }

    /// <summary>The message's bytes as the Functions trigger hands them over: base64 undone (or the stored text as is with <c>none</c>), nothing else.</summary>
    private bool TryDecode(BinaryData raw, out BinaryData body)
    {
        if (_settings.MessageEncoding == HostQueueMessageEncoding.None)
        {
            body = raw;
            return true;
        }

        var text = raw.ToString();
        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            body = new BinaryData(buffer.AsMemory(0, written));
            return true;
        }

        body = BinaryData.Empty;
        return false;
    }

    /// <summary>Keeps a message invisible while its handler runs and tracks the pop receipt each renewal returns.</summary>
    private sealed class VisibilityLease : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewals;
        private string _popReceipt;

        public VisibilityLease(QueueClient queue, QueueMessage message, TimeProvider time, ILogger logger)
        {
            _popReceipt = message.PopReceipt;
            _renewals = RenewAsync(queue, message.MessageId, time, logger, _stop.Token);
        }

        /// <summary>Stops renewing and returns the current pop receipt.</summary>
        public async Task<string> StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewals.ConfigureAwait(false);
            return _popReceipt;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task RenewAsync(QueueClient queue, string messageId, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
        {
            try
            {
                var wait = ProcessingVisibility / 2;
                while (true)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var receipt = await queue.UpdateMessageAsync(messageId, _popReceipt, visibilityTimeout: ProcessingVisibility, cancellationToken: cancellationToken).ConfigureAwait(false);
                        _popReceipt = receipt.Value.PopReceipt;
                        QueueLog.VisibilityRenewed(logger, messageId, queue.Name, receipt.Value.NextVisibleOn);
                        wait = ProcessingVisibility / 2;
                    }
                    catch (Exception ex) when (StorageFailure.IsUnavailable(ex))
                    {
                        QueueLog.RenewFailed(logger, ex, messageId, queue.Name);
                        // The message or its receipt is gone: nothing left to renew. Otherwise (no connection, 5xx)
                        // try again sooner, while the last renewal still hides the message.
                        if (IsGone(ex)) return;
                        wait = ProcessingVisibility / 8;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The handler finished.
            }
        }

        private static bool IsGone(Exception exception) => exception is RequestFailedException { Status: >= 400 and < 500 and not 408 and not 429 };
    }
}
