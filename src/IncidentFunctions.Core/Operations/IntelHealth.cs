using IncidentFunctions.Enrichment;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

/// <summary>The intel data enrichment labels with, as <c>/api/status</c> shows it: which snapshot, when it was refreshed, and how old each source's data is.</summary>
/// <param name="Stale">True when any source's data is older than <see cref="EnrichmentOptions.StaleAfter"/> (30 days by default), after which reports warn about the labels it gave.</param>
public sealed record IntelHealth(string Version, DateTimeOffset PublishedAt, DateTimeOffset? LastRunAt, bool Stale, IReadOnlyList<IntelSourceHealth> Sources);

/// <summary>One intel source: the date of the data in the snapshot, and what the last refresh did with it.</summary>
/// <param name="DataDate">The dataset's date in the current snapshot; null when the snapshot has none of it (never fetched, or refused since).</param>
public sealed record IntelSourceHealth(string Name, DateTimeOffset? DataDate, bool Stale, IntelFetchOutcome? LastOutcome, string? LastReason, DateTimeOffset? LastGoodAt);

/// <summary>Reads <see cref="IntelHealth"/> from the snapshot pointer and the refresh's status record.</summary>
/// <remarks>
/// A refresh's reason may quote a source's URL, and a licensed source's URL carries its key (<c>license_key=</c>): reasons
/// pass the log redactor before they are shown.
/// </remarks>
public sealed class IntelHealthReader(IntelSnapshotStore store, SecretRedactor redactor, IOptions<EnrichmentOptions> options)
{
    private const int MaxReasonChars = 300;

    /// <summary>Null before the first refresh published a snapshot.</summary>
    public async Task<IntelHealth?> GetAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var latest = await store.GetLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is null) return null;
        var status = await store.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var dated = latest.Sources.GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(s => s.DatasetDate ?? s.FetchedAt), StringComparer.Ordinal);
        var outcomes = (status?.Sources ?? []).GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var sources = dated.Keys.Union(outcomes.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(name =>
        {
            DateTimeOffset? date = dated.TryGetValue(name, out var d) ? d : null;
            var outcome = outcomes.GetValueOrDefault(name);
            return new IntelSourceHealth(
                StoredText.Bound(name, 100) ?? name,
                date,
                date is { } known && now - known > options.Value.StaleAfter,
                outcome?.Outcome,
                outcome?.Reason is { } reason ? StoredText.Bound(redactor.Redact(reason), MaxReasonChars) : null,
                outcome?.LastGoodAt);
        }).ToList();
        return new IntelHealth(latest.Version, latest.CreatedAt, status?.LastRunAt, sources.Any(s => s.Stale), sources);
    }
}
