namespace IncidentFunctions.Enrichment.Intel;

/// <summary>
/// The number line cut into non-overlapping segments, each with one value (or <see cref="None"/>). A lookup is one
/// table step on the address's top 16 bits and a binary search within the few segments that block holds; IPv4 is
/// searched in 32-bit arrays, so the common case stays in cache.
/// </summary>
public sealed class SegmentIndex<TValue>
    where TValue : struct, IEquatable<TValue>
{
    private const int TableSize = 1 << 16;
    private readonly uint[] _v4Starts;
    private readonly TValue[] _v4Values;
    private readonly int[] _v4Table;
    private readonly UInt128[] _v6Starts;
    private readonly TValue[] _v6Values;
    private readonly int[] _v6Table;

    /// <summary>Takes segments that start at 0, are sorted, and differ in value from their neighbours.</summary>
    internal SegmentIndex(ReadOnlySpan<UInt128> starts, ReadOnlySpan<TValue> values, TValue none)
    {
        if (starts.IsEmpty || starts[0] != UInt128.Zero) throw new ArgumentException("Segments must start at address 0.", nameof(starts));
        None = none;

        // IPv4 part: the segment holding ::ffff:0.0.0.0, then every segment starting inside the block.
        var firstV4 = IndexOf(starts, IpNumber.V4First);
        var v4Count = 1;
        for (var i = firstV4 + 1; i < starts.Length && starts[i] <= IpNumber.V4Last; i++) v4Count++;
        _v4Starts = new uint[v4Count];
        _v4Values = new TValue[v4Count];
        _v4Values[0] = values[firstV4];
        for (var k = 1; k < v4Count; k++)
        {
            _v4Starts[k] = (uint)(starts[firstV4 + k] - IpNumber.V4First);
            _v4Values[k] = values[firstV4 + k];
        }

        // IPv6 part: everything outside the block; the block itself becomes one empty segment, and the segment
        // holding the first address after it is restarted there so searches past the block stay right.
        var afterV4 = IndexOf(starts, IpNumber.V4Last + 1);
        var beforeCount = firstV4 + (starts[firstV4] == IpNumber.V4First ? 0 : 1);
        var afterStartsAtBoundary = starts[afterV4] == IpNumber.V4Last + 1;
        var afterCount = starts.Length - afterV4;
        var v6Count = beforeCount + 1 + afterCount;
        _v6Starts = new UInt128[v6Count];
        _v6Values = new TValue[v6Count];
        var n = 0;
        for (var i = 0; i < beforeCount; i++, n++)
        {
            _v6Starts[n] = starts[i];
            _v6Values[n] = values[i];
        }

        _v6Starts[n] = IpNumber.V4First;
        _v6Values[n++] = none;
        for (var i = afterV4; i < starts.Length; i++, n++)
        {
            _v6Starts[n] = i == afterV4 && !afterStartsAtBoundary ? IpNumber.V4Last + 1 : starts[i];
            _v6Values[n] = values[i];
        }

        _v4Table = BuildTable(_v4Starts);
        _v6Table = BuildTable(_v6Starts);
    }

    public TValue None { get; }

    public int SegmentCount => _v4Starts.Length + _v6Starts.Length;

    public TValue Find(UInt128 address)
    {
        if (IpNumber.IsV4(address))
        {
            var v = (uint)address;
            var t = (int)(v >> 16);
            var lo = _v4Table[t];
            var hi = _v4Table[t + 1];
            var starts = _v4Starts;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) >> 1;
                if (starts[mid] <= v) lo = mid;
                else hi = mid - 1;
            }

            return _v4Values[lo];
        }
        else
        {
            var t = (int)(address >> 112);
            var lo = _v6Table[t];
            var hi = _v6Table[t + 1];
            var starts = _v6Starts;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) >> 1;
                if (starts[mid] <= address) lo = mid;
                else hi = mid - 1;
            }

            return _v6Values[lo];
        }
    }

    /// <summary>table[t] = the segment holding the first address of top-16-bit block t; table[65536] = the last segment.</summary>
    private static int[] BuildTable(uint[] starts)
    {
        var table = new int[TableSize + 1];
        var segment = 0;
        for (var t = 0; t < TableSize; t++)
        {
            var blockStart = (uint)t << 16;
            while (segment + 1 < starts.Length && starts[segment + 1] <= blockStart) segment++;
            table[t] = segment;
        }

        table[TableSize] = starts.Length - 1;
        return table;
    }

    private static int[] BuildTable(UInt128[] starts)
    {
        var table = new int[TableSize + 1];
        var segment = 0;
        for (var t = 0; t < TableSize; t++)
        {
            var blockStart = (UInt128)(uint)t << 112;
            while (segment + 1 < starts.Length && starts[segment + 1] <= blockStart) segment++;
            table[t] = segment;
        }

        table[TableSize] = starts.Length - 1;
        return table;
    }

    private static int IndexOf(ReadOnlySpan<UInt128> starts, UInt128 address)
    {
        int lo = 0, hi = starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= address) lo = mid;
            else hi = mid - 1;
        }

        return lo;
    }
}
