using System.Globalization;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Reports;

/// <summary>A dataset the source labels of a report came from, and the oldest and newest dates of its data they used.</summary>
public sealed record LabelDataset(string Source, DateTimeOffset Oldest, DateTimeOffset Newest);

/// <summary>
/// Which intel data a report's source labels (country, network, source type, lists) came from and how old it was:
/// each profile records the dataset and date behind each label, and stale data gives wrong countries and networks, so
/// a report says when its labels come from data much older than the day they describe.
/// </summary>
internal static class LabelData
{
    private const int MaxSourceChars = 80;

    /// <summary>Every dataset behind the profiles' labels (those with a date), by name.</summary>
    public static List<LabelDataset> Of(IEnumerable<SourceProfile> profiles)
    {
        var spans = new Spans();
        foreach (var label in profiles.SelectMany(p => p.Provenance))
        {
            if (label.DatasetDate is { } date && !string.IsNullOrWhiteSpace(label.Source)) spans.Widen(label.Source, date, date);
        }

        return spans.ToList();
    }

    /// <summary>The datasets of several days as one list: each dataset's oldest and newest date over all of them.</summary>
    public static List<LabelDataset> Merge(IEnumerable<IReadOnlyList<LabelDataset>> days)
    {
        var spans = new Spans();
        foreach (var dataset in days.SelectMany(d => d)) spans.Widen(dataset.Source, dataset.Oldest, dataset.Newest);
        return spans.ToList();
    }

    /// <summary>"Source labels come from: geo (data of 2026-06-17), tor-exits (data of 2026-11-20 to 2026-11-24)."; null without datasets.</summary>
    public static string? Line(IReadOnlyList<LabelDataset> datasets)
        => datasets.Count == 0 ? null : "Source labels come from: " + string.Join(", ", datasets.Select(d => $"{d.Source} ({Dates(d)})")) + ".";

    /// <summary>
    /// The warning for datasets more than <paramref name="staleAfter"/> (<see cref="EnrichmentOptions.StaleAfter"/>) older
    /// than <paramref name="labelledFrom"/> (the day's or period's start); null when none is.
    /// </summary>
    public static string? Warning(IReadOnlyList<LabelDataset> datasets, DateTimeOffset labelledFrom, TimeSpan staleAfter, string labelled)
    {
        var stale = datasets.Where(d => labelledFrom - d.Oldest > staleAfter).ToList();
        if (stale.Count == 0) return null;
        var oldest = stale.MinBy(d => d.Oldest)!;
        var age = Numbers.Count((int)(labelledFrom - oldest.Oldest).TotalDays, "day", "days");
        // One sentence however many datasets are old: the section at the end lists each with its date.
        var which = stale.Count == 1
            ? $"source labels from {oldest.Source} come from data of {Day(oldest.Oldest)}, {age} before {labelled}."
            : $"source labels from {stale.Count} of {datasets.Count} datasets come from data over {Numbers.Count(staleAfter.Days, "day", "days")} older than {labelled}; the oldest, {oldest.Source}, from {Day(oldest.Oldest)}, {age} before it (all are listed under Data sources and attributions).";
        return $"Warning: {which} Countries, networks and source types may have changed since; refresh the intel data.";
    }

    private static string Dates(LabelDataset d)
        => Day(d.Oldest) == Day(d.Newest) ? $"data of {Day(d.Oldest)}" : $"data of {Day(d.Oldest)} to {Day(d.Newest)}";

    private static string Day(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Each dataset's oldest and newest date so far, by name.</summary>
    private sealed class Spans
    {
        private readonly Dictionary<string, (DateTimeOffset Oldest, DateTimeOffset Newest)> _spans = new(StringComparer.Ordinal);

        public void Widen(string source, DateTimeOffset oldest, DateTimeOffset newest)
            => _spans[source] = _spans.TryGetValue(source, out var known)
                ? (oldest < known.Oldest ? oldest : known.Oldest, newest > known.Newest ? newest : known.Newest)
                : (oldest, newest);

        public List<LabelDataset> ToList()
            => _spans.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new LabelDataset(UntrustedText.Sanitize(d.Key, MaxSourceChars), d.Value.Oldest, d.Value.Newest)).ToList();
    }
}
