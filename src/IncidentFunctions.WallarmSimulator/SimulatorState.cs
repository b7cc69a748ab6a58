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

    internal ConcurrentDictionary<string, List<SimAttack>> QueryCache { get; } = new(StringComparer.Ordinal);

    public long NowUnix => Time.GetUtcNow().ToUnixTimeSeconds();
}
