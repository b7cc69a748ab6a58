namespace IncidentFunctions.WallarmSimulator;

/// <summary>SplitMix64: tiny, fast and identical on every runtime, so a seed always yields the same data.</summary>
internal struct SimRandom(ulong seed)
{
    private ulong _state = seed;

    public static SimRandom For(int seed, long a, long b = 0)
    {
        var r = new SimRandom((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)a * 0xBF58476D1CE4E5B9UL ^ (ulong)b * 0x94D049BB133111EBUL);
        r.NextUInt64();
        return r;
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, max).</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)(NextUInt64() % (ulong)max);

    public long NextLong(long min, long maxExclusive) => maxExclusive <= min ? min : min + (long)(NextUInt64() % (ulong)(maxExclusive - min));

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public T PickWeighted<T>(IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = 0.0;
        foreach (var item in items) total += Math.Max(0, weight(item));
        var x = NextDouble() * total;
        foreach (var item in items)
        {
            x -= Math.Max(0, weight(item));
            if (x < 0) return item;
        }

        return items[^1];
    }
}
