namespace IncidentFunctions.Reports;

/// <summary>Whether this process has been asked for a report yet: the start-up warm-up stops once real work has begun.</summary>
public sealed class ReportDemand : IDisposable
{
    private readonly CancellationTokenSource _firstRequest = new();

    public bool AnyRequested => _firstRequest.IsCancellationRequested;

    /// <summary>Cancelled by the first report request: warm-up work still under way then only competes with it.</summary>
    public CancellationToken FirstRequest => _firstRequest.Token;

    public void Requested()
    {
        if (_firstRequest.IsCancellationRequested) return;
        // The warm-up's cancellation callbacks run on the thread pool, not on the request's thread.
        _ = _firstRequest.CancelAsync();
    }

    public void Dispose() => _firstRequest.Dispose();
}
