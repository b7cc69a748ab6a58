namespace IncidentFunctions.Calendar;

/// <summary>A half-open span of time [<see cref="From"/>, <see cref="To"/>), kept in UTC.</summary>
public readonly record struct TimeWindow
{
    public TimeWindow(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from) throw new ArgumentException($"Window end {to:o} is before its start {from:o}.", nameof(to));
        From = from.ToUniversalTime();
        To = to.ToUniversalTime();
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public TimeSpan Duration => To - From;

    public bool Overlaps(TimeWindow other) => From < other.To && other.From < To;

    /// <summary>Consecutive windows of at most <paramref name="size"/> covering this one.</summary>
    public IEnumerable<TimeWindow> Split(TimeSpan size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, TimeSpan.Zero);
        for (var start = From; start < To; start += size)
        {
            var end = start + size < To ? start + size : To;
            yield return new TimeWindow(start, end);
        }
    }

    public override string ToString() => $"{From:yyyy-MM-ddTHH:mm:ssZ}/{To:yyyy-MM-ddTHH:mm:ssZ}";
}
