namespace IncidentFunctions.Reports;

/// <summary>Whether this process has been asked for a report yet: the start-up warm-up stops once real work has begun.</summary>
public sealed class ReportDemand
{
    private volatile bool _requested;

    public bool AnyRequested => _requested;

    public void Requested() => _requested = true;
}
