namespace IncidentFunctions.Reports;

/// <summary>The first few of many, without sorting them all.</summary>
internal static class Ranking
{
    /// <summary>
    /// The <paramref name="top"/> first of <paramref name="items"/> in <paramref name="order"/>, kept in a bounded heap:
    /// sorting a busy day's tens of thousands of IPs (or a month's) for ten of them copied them all into one large array.
    /// </summary>
    public static List<T> Top<T>(IEnumerable<T> items, int top, IComparer<T> order)
    {
        if (top <= 0) return [];
        // A max-heap in the report's order: its root is the worst kept, replaced by anything better.
        var kept = new PriorityQueue<T, T>(top + 1, Comparer<T>.Create((a, b) => order.Compare(b, a)));
        foreach (var item in items)
        {
            if (kept.Count < top) kept.Enqueue(item, item);
            else if (order.Compare(item, kept.Peek()) < 0) kept.EnqueueDequeue(item, item);
        }

        var result = new List<T>(kept.Count);
        while (kept.TryDequeue(out var item, out _)) result.Add(item);
        result.Reverse();
        return result;
    }
}
