namespace IncidentFunctions.Reports;

/// <summary>Whether this process has been asked for a report yet: the start-up warm-up stops once real work has begun.</summary>
public sealed class ReportDemand
{
    private int _requests;

    public bool AnyRequested => Volatile.Read(ref _requests) > 0;

    public void Requested() => Interlocked.Increment(ref _requests);
}
