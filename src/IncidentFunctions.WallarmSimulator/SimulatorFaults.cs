using System.Text.Json.Serialization;

namespace IncidentFunctions.WallarmSimulator;

public enum FaultKind
{
    /// <summary>429 with a <c>Retry-After</c> header.</summary>
    RateLimit,

    /// <summary>500 with an error envelope.</summary>
    ServerError,

    /// <summary>The response is held for <see cref="FaultRule.DelaySeconds"/> (longer than a client's attempt timeout).</summary>
    Timeout,

    /// <summary>200 with a body that is not JSON.</summary>
    MalformedJson,

    /// <summary>200 with the page's JSON cut off half way.</summary>
    TruncatedPage,

    /// <summary>200 with an empty <c>body</c> for page <see cref="FaultRule.Page"/> although more records follow.</summary>
    EmptyPage,
}

/// <summary>One fault to inject: on which endpoint, how many times, after how many good requests.</summary>
public sealed record FaultRule
{
    [JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
    public FaultKind Kind { get; init; }

    /// <summary><c>attack</c> (v1 and v2 lists), <c>count</c>, <c>vuln</c>, <c>user</c> or <c>any</c>.</summary>
    public string Endpoint { get; init; } = "attack";

    /// <summary>How many matching requests fail; 0 or less means every one.</summary>
    public int Times { get; init; } = 1;

    /// <summary>Matching requests to let through before the fault starts.</summary>
    public int SkipFirst { get; init; }

    public int RetryAfterSeconds { get; init; } = 1;

    public double DelaySeconds { get; init; } = 30;

    /// <summary>For <see cref="FaultKind.EmptyPage"/>: the zero-based page that comes back empty.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Parses the command-line form <c>kind[:times[:skipFirst]]</c>, e.g. <c>ratelimit:3</c> or <c>emptypage:1</c>.</summary>
    public static FaultRule Parse(string text)
    {
        var parts = text.Split(':', StringSplitOptions.TrimEntries);
        if (!Enum.TryParse<FaultKind>(parts[0], ignoreCase: true, out var kind))
        {
            throw new FormatException($"Unknown fault '{parts[0]}'. Use one of: {string.Join(", ", Enum.GetNames<FaultKind>())}.");
        }

        var times = parts.Length > 1 && int.TryParse(parts[1], out var t) ? t : 1;
        var skip = parts.Length > 2 && int.TryParse(parts[2], out var s) ? s : 0;
        return kind == FaultKind.EmptyPage
            ? new FaultRule { Kind = kind, Times = 1, Page = times, SkipFirst = skip }
            : new FaultRule { Kind = kind, Times = times, SkipFirst = skip };
    }
}

/// <summary>The faults armed right now; switchable per test (in process) and over HTTP (<c>/__simulator/faults</c>).</summary>
public sealed class SimulatorFaults
{
    private readonly Lock _gate = new();
    private readonly List<ArmedFault> _armed = [];

    public void Add(FaultRule rule)
    {
        lock (_gate) _armed.Add(new ArmedFault(rule));
    }

    public void Clear()
    {
        lock (_gate) _armed.Clear();
    }

    public IReadOnlyList<FaultRule> Armed
    {
        get
        {
            lock (_gate) return _armed.Select(a => a.Rule).ToList();
        }
    }

    /// <summary>Number of times each kind of fault actually fired.</summary>
    public int Fired(FaultKind kind)
    {
        lock (_gate) return _fired.TryGetValue(kind, out var n) ? n : 0;
    }

    private readonly Dictionary<FaultKind, int> _fired = [];

    /// <summary>The fault to apply to this request, if one is due. <paramref name="page"/> is null when the request is not paged.</summary>
    internal FaultRule? Next(string endpoint, int? page)
    {
        lock (_gate)
        {
            foreach (var armed in _armed)
            {
                var rule = armed.Rule;
                if (rule.Endpoint != "any" && rule.Endpoint != endpoint) continue;
                if (rule.Kind == FaultKind.EmptyPage && page != rule.Page) continue;
                if (armed.Seen++ < rule.SkipFirst) continue;
                if (rule.Times > 0 && armed.Fired >= rule.Times) continue;
                armed.Fired++;
                _fired[rule.Kind] = (_fired.TryGetValue(rule.Kind, out var n) ? n : 0) + 1;
                return rule;
            }

            return null;
        }
    }

    private sealed class ArmedFault(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;

        public int Seen { get; set; }

        public int Fired { get; set; }
    }
}
