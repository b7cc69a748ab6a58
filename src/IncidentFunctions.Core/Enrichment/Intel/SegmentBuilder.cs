namespace IncidentFunctions.Enrichment.Intel;

/// <summary>Ranges gathered for one index, in arrays (no per-range objects), in the order they were added.</summary>
public sealed class RangeCollector
{
    private UInt128[] _starts;
    private UInt128[] _ends;
    private int[] _values;

    public RangeCollector(int capacity = 16)
    {
        capacity = Math.Max(4, capacity);
        _starts = new UInt128[capacity];
        _ends = new UInt128[capacity];
        _values = new int[capacity];
    }

    public int Count { get; private set; }

    internal UInt128[] Starts => _starts;

    internal UInt128[] Ends => _ends;

    internal int[] Values => _values;

    /// <summary>Adds a range; a range partly over the IPv4 block loses that part (see <see cref="IpRange.ClipMapped"/>).</summary>
    public void Add(IpRange range, int value)
    {
        Span<IpRange> parts = stackalloc IpRange[2];
        var count = range.ClipMapped(parts);
        for (var i = 0; i < count; i++) AddExact(parts[i].Start, parts[i].End, value);
    }

    internal void AddExact(UInt128 start, UInt128 end, int value)
    {
        if (Count == _starts.Length)
        {
            var size = _starts.Length * 2;
            Array.Resize(ref _starts, size);
            Array.Resize(ref _ends, size);
            Array.Resize(ref _values, size);
        }

        _starts[Count] = start;
        _ends[Count] = end;
        _values[Count] = value;
        Count++;
    }
}

/// <summary>Flattens overlapping ranges into a <see cref="SegmentIndex{TValue}"/>.</summary>
public static class SegmentBuilder
{
    /// <summary>
    /// Where ranges overlap, the smallest range wins (a /24 inside a /8 answers for its addresses); among ranges of
    /// equal size the one added first wins, so callers add sources in priority order. Works for any overlap, not only
    /// nested CIDR prefixes: each range claims the elementary pieces between boundaries that no smaller range claimed.
    /// </summary>
    public static SegmentIndex<int> SmallestWins(RangeCollector ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var n = ranges.Count;
        if (n == 0) return new SegmentIndex<int>([UInt128.Zero], [-1], -1);
        var starts = ranges.Starts;
        var ends = ranges.Ends;
        var values = ranges.Values;

        var boundaries = Boundaries(ranges, out var m);
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        order.AsSpan().Sort(new PreferenceComparer(starts, ends));

        var paint = new int[m];
        Array.Fill(paint, -1);
        // next[k]: the first unpainted piece at or after k (disjoint-set forest with path halving).
        var next = new int[m + 1];
        for (var k = 0; k <= m; k++) next[k] = k;

        foreach (var r in order)
        {
            var first = Array.BinarySearch(boundaries, 0, m, starts[r]);
            var stop = ends[r] == UInt128.MaxValue ? m : Array.BinarySearch(boundaries, 0, m, ends[r] + 1);
            var value = values[r];
            for (var k = Find(next, first); k < stop; k = Find(next, k + 1))
            {
                paint[k] = value;
                next[k] = k + 1;
            }
        }

        return Emit(boundaries, m, paint, -1);
    }

    /// <summary>Each range's value is a bit (0–63); every address gets the OR of the bits of all ranges covering it.</summary>
    public static SegmentIndex<ulong> UnionMask(RangeCollector ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var n = ranges.Count;
        if (n == 0) return new SegmentIndex<ulong>([UInt128.Zero], [0UL], 0UL);
        var starts = ranges.Starts;
        var ends = ranges.Ends;
        var bits = ranges.Values;

        var boundaries = Boundaries(ranges, out var m);
        var open = new int[n];
        var close = new int[n];
        var eventCounts = new int[m + 2];
        for (var r = 0; r < n; r++)
        {
            if ((uint)bits[r] > 63) throw new ArgumentOutOfRangeException(nameof(ranges), bits[r], "Mask ranges take bit numbers 0–63.");
            open[r] = Array.BinarySearch(boundaries, 0, m, starts[r]);
            close[r] = ends[r] == UInt128.MaxValue ? m : Array.BinarySearch(boundaries, 0, m, ends[r] + 1);
            eventCounts[open[r] + 1]++;
            eventCounts[close[r] + 1]++;
        }

        for (var k = 1; k < eventCounts.Length; k++) eventCounts[k] += eventCounts[k - 1];
        var events = new int[2 * n];
        var fill = eventCounts.AsSpan(0, m + 1).ToArray();
        for (var r = 0; r < n; r++)
        {
            events[fill[open[r]]++] = bits[r] + 1;
            events[fill[close[r]]++] = -(bits[r] + 1);
        }

        var masks = new ulong[m];
        Span<int> depth = stackalloc int[64];
        depth.Clear();
        var mask = 0UL;
        for (var k = 0; k < m; k++)
        {
            for (var e = eventCounts[k]; e < eventCounts[k + 1]; e++)
            {
                var bit = Math.Abs(events[e]) - 1;
                depth[bit] += events[e] > 0 ? 1 : -1;
                mask = depth[bit] > 0 ? mask | (1UL << bit) : mask & ~(1UL << bit);
            }

            masks[k] = mask;
        }

        return Emit(boundaries, m, masks, 0UL);
    }

    /// <summary>Every range start and every first address after a range end, sorted and distinct.</summary>
    private static UInt128[] Boundaries(RangeCollector ranges, out int count)
    {
        var n = ranges.Count;
        var boundaries = new UInt128[2 * n];
        var b = 0;
        for (var r = 0; r < n; r++)
        {
            boundaries[b++] = ranges.Starts[r];
            if (ranges.Ends[r] != UInt128.MaxValue) boundaries[b++] = ranges.Ends[r] + 1;
        }

        Array.Sort(boundaries, 0, b);
        var m = 0;
        for (var i = 0; i < b; i++)
        {
            if (m == 0 || boundaries[i] != boundaries[m - 1]) boundaries[m++] = boundaries[i];
        }

        count = m;
        return boundaries;
    }

    private static int Find(int[] next, int k)
    {
        while (next[k] != k)
        {
            next[k] = next[next[k]];
            k = next[k];
        }

        return k;
    }

    /// <summary>Pieces to segments: adjacent pieces with equal values merge; the line before the first boundary is empty.</summary>
    private static SegmentIndex<T> Emit<T>(UInt128[] boundaries, int m, T[] values, T none)
        where T : struct, IEquatable<T>
    {
        var leading = boundaries[0] != UInt128.Zero;
        var count = leading ? 1 : 0;
        var last = none;
        for (var k = 0; k < m; k++)
        {
            if (count == 0 || !values[k].Equals(last)) count++;
            last = values[k];
        }

        var starts = new UInt128[count];
        var merged = new T[count];
        var n = 0;
        if (leading)
        {
            starts[0] = UInt128.Zero;
            merged[0] = none;
            n = 1;
        }

        for (var k = 0; k < m; k++)
        {
            if (n > 0 && values[k].Equals(merged[n - 1])) continue;
            starts[n] = boundaries[k];
            merged[n] = values[k];
            n++;
        }

        return new SegmentIndex<T>(starts.AsSpan(0, n), merged.AsSpan(0, n), none);
    }

    private readonly struct PreferenceComparer(UInt128[] starts, UInt128[] ends) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var bySize = (ends[x] - starts[x]).CompareTo(ends[y] - starts[y]);
            return bySize != 0 ? bySize : x.CompareTo(y);
        }
    }
}
