namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// "Now" under the test's control, while timers and timestamps stay real: retry back-offs and timeouts in the HTTP
/// pipeline still elapse, but the app and the simulator agree on a wall clock the test moves.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public static DateTimeOffset DefaultStart { get; } = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public ManualClock() : this(DefaultStart)
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }

    public void Set(DateTimeOffset now)
    {
        lock (_gate) _now = now;
    }
}
