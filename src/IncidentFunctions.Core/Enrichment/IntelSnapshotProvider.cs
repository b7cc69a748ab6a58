using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Enrichment;

/// <summary>
/// The intel index of this instance. Loads the latest published snapshot once, then looks at the small
/// <c>latest.json</c> pointer at most every <c>Enrichment:SnapshotCheckInterval</c>; when the version changed it
/// builds the new index off to the side and swaps one reference, so lookups in flight finish on the old index and none
/// ever sees half of each. Before any snapshot exists it runs the refresh itself once.
/// </summary>
public sealed class IntelSnapshotProvider(
    IntelSnapshotStore store,
    IServiceScopeFactory scopes,
    IOptions<EnrichmentOptions> options,
    TimeProvider time,
    ILogger<IntelSnapshotProvider> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IntelIndex? _current;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public async ValueTask<IntelIndex> GetAsync(CancellationToken cancellationToken = default)
    {
        var current = _current;
        if (current is not null && !CheckDue()) return current;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (current is not null && !CheckDue()) return current;
            try
            {
                var latest = await store.GetLatestAsync(cancellationToken).ConfigureAwait(false);
                if (latest is null)
                {
                    EnrichmentLog.NoSnapshotYet(logger);
                    await using (var scope = scopes.CreateAsyncScope())
                    {
                        await scope.ServiceProvider.GetRequiredService<IntelRefresher>().RunAsync(cancellationToken).ConfigureAwait(false);
                    }

                    latest = await store.GetLatestAsync(cancellationToken).ConfigureAwait(false)
                             ?? throw new InvalidOperationException("The intel refresh published no snapshot.");
                }

                if (current is null || current.Version != latest.Version)
                {
                    var started = time.GetTimestamp();
                    var snapshot = await store.LoadAsync(latest, cancellationToken).ConfigureAwait(false);
                    var index = IntelIndex.Build(snapshot);
                    _current = index;
                    var elapsedMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
                    EnrichmentLog.SnapshotLoaded(logger, index.Version, snapshot.Sources.Count, index.SegmentCount, elapsedMs, current?.Version ?? "nothing");
                }

                _checkedAt = time.GetUtcNow();
            }
            catch (Exception ex) when (current is not null && ex is not OperationCanceledException)
            {
                // A storage hiccup must not stop enrichment while a good index is loaded; try again after the interval.
                EnrichmentLog.SnapshotCheckFailed(logger, StorageFailure.StackFor(ex), FailureText.Describe(ex), current.Version);
                _checkedAt = time.GetUtcNow();
            }

            return _current!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private bool CheckDue()
    {
        var interval = options.Value.SnapshotCheckInterval;
        return interval <= TimeSpan.Zero || time.GetUtcNow() - _checkedAt >= interval;
    }
}
