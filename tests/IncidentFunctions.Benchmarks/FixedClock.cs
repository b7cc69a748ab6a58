namespace IncidentFunctions.Benchmarks;

/// <summary>A clock stopped at <paramref name="now"/>: a benchmark's simulated data and its reports agree on "today".</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
