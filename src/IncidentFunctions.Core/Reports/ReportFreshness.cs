using System.Collections.Concurrent;

namespace IncidentFunctions.Reports;

/// <summary>
/// Per-process memory of which stored file is current for a report (a day, or a week or month: separate instances,
/// since a Monday is both), when that was last checked against storage, and one gate per report so a process never
/// checks or generates the same report twice at once.
/// </summary>
public sealed class ReportFreshness<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (ReportFile File, DateTimeOffset CheckedAt)> _checked = new();
    private readonly ConcurrentDictionary<TKey, SemaphoreSlim> _gates = new();

    /// <summary>
    /// The file last found current when it was checked less than <paramref name="revalidateAfter"/> ago and is not
    /// stale; otherwise, under the report's gate, what <paramref name="refresh"/> (compare revisions, generate when
    /// needed) returns for the time it is given, remembered as checked.
    /// </summary>
    public async Task<ReportFile> GetOrRefreshAsync(
        TKey key,
        TimeSpan revalidateAfter,
        TimeProvider time,
        Func<DateTimeOffset, CancellationToken, Task<ReportFile>> refresh,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(refresh);
        if (TryRecent(key, revalidateAfter, time.GetUtcNow(), out var file)) return file;

        var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have checked while this one waited.
            var now = time.GetUtcNow();
            if (TryRecent(key, revalidateAfter, now, out file)) return file;
            file = await refresh(now, cancellationToken).ConfigureAwait(false);
            _checked[key] = (file, time.GetUtcNow());
            return file;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets the check, so the next request compares with storage again (the blob changed under it).</summary>
    public void Forget(TKey key) => _checked.TryRemove(key, out _);

    private bool TryRecent(TKey key, TimeSpan revalidateAfter, DateTimeOffset now, out ReportFile file)
    {
        if (_checked.TryGetValue(key, out var known) && now - known.CheckedAt < revalidateAfter && !known.File.IsStaleAt(now))
        {
            file = known.File;
            return true;
        }

        file = null!;
        return false;
    }
}
