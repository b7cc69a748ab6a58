using System.Collections.Concurrent;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>A request as the simulator received it; tests assert on what the client sent.</summary>
public sealed record RecordedRequest(string Path, string Body, bool HadValidToken, int Status);

/// <summary>The most recent requests (bounded), for assertions.</summary>
public sealed class RequestLog
{
    private const int Capacity = 20_000;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public void Add(RecordedRequest request)
    {
        _requests.Enqueue(request);
        while (_requests.Count > Capacity && _requests.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<RecordedRequest> All => [.. _requests];

    public IReadOnlyList<RecordedRequest> For(string path) => _requests.Where(r => r.Path == path).ToList();

    public void Clear() => _requests.Clear();
}
