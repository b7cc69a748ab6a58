using System.Collections.Concurrent;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>Everything one simulator instance serves from: data, clock, faults and the request log.</summary>
public sealed class SimulatorState(SimulatorOptions options, TimeProvider time)
{
    public SimulatorOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public IncidentGenerator Data { get; } = new(options);

    public SimulatorFaults Faults { get; } = new();

    public RequestLog Requests { get; } = new();

    public RecordCorruptions Corruptions { get; } = new();

    /// <summary>What the <c>time</c> filter matches now; tests switch it per case.</summary>
    public TimeFilterMeaning TimeFilter { get; set; } = options.TimeFilter;

    /// <summary>How far each attack-list request moves the simulator's clock on (data moving during paging).</summary>
    public TimeSpan DriftPerRequest { get; set; } = options.DriftPerRequest;

    /// <summary>How far the simulator's clock is ahead of <see cref="Time"/> through drift.</summary>
    public TimeSpan Drift => TimeSpan.FromSeconds(Interlocked.Read(ref _driftSeconds));

    private long _driftSeconds;

    internal ConcurrentDictionary<string, List<SimAttack>> QueryCache { get; } = new(StringComparer.Ordinal);

    /// <summary>The simulator's "now": the clock plus any drift so far.</summary>
    public long NowUnix => Time.GetUtcNow().ToUnixTimeSeconds() + Interlocked.Read(ref _driftSeconds);

    /// <summary>Moves the clock on by <see cref="DriftPerRequest"/> (nothing when zero) and returns the new "now".</summary>
    internal long AdvanceForListRequest()
    {
        var step = (long)DriftPerRequest.TotalSeconds;
        return step > 0 ? Time.GetUtcNow().ToUnixTimeSeconds() + Interlocked.Add(ref _driftSeconds, step) : NowUnix;
    }
}
