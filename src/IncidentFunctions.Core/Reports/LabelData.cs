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
    /// <summary>Data older than this before the first labelled day is called out: addresses change hands within months.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(30);

    private const int MaxSourceChars = 80;

    /// <summary>Every dataset behind the profiles' labels (those with a date), by name.</summary>
    public static List<LabelDataset> Of(IEnumerable<SourceProfile> profiles)
    {
        var datasets = new Dictionary<string, (DateTimeOffset Oldest, DateTimeOffset Newest)>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            foreach (var label in profile.Provenance)
            {
                if (label.DatasetDate is not { } date || string.IsNullOrWhiteSpace(label.Source)) continue;
                datasets[label.Source] = datasets.TryGetValue(label.Source, out var known)
                    ? (date < known.Oldest ? date : known.Oldest, date > known.Newest ? date : known.Newest)
                    : (date, date);
            }
        }

        return Sorted(datasets);
    }

    /// <summary>The datasets of several days as one list: each dataset's oldest and newest date over all of them.</summary>
    public static List<LabelDataset> Merge(IEnumerable<IReadOnlyList<LabelDataset>> days)
    {
        var datasets = new Dictionary<string, (DateTimeOffset Oldest, DateTimeOffset Newest)>(StringComparer.Ordinal);
        foreach (var dataset in days.SelectMany(d => d))
        {
            datasets[dataset.Source] = datasets.TryGetValue(dataset.Source, out var known)
                ? (dataset.Oldest < known.Oldest ? dataset.Oldest : known.Oldest, dataset.Newest > known.Newest ? dataset.Newest : known.Newest)
                : (dataset.Oldest, dataset.Newest);
        }

        return Sorted(datasets);
    }

    /// <summary>"Source labels come from: geo (data of 2026-06-17), tor-exits (2026-11-20 to 2026-11-24)."; null without datasets.</summary>
    public static string? Line(IReadOnlyList<LabelDataset> datasets)
        => datasets.Count == 0 ? null : "Source labels come from: " + string.Join(", ", datasets.Select(d => $"{d.Source} ({Dates(d)})")) + ".";

    /// <summary>The warning for datasets older than <see cref="StaleAfter"/> before <paramref name="labelledFrom"/> (the day's or period's start); null when none is.</summary>
    public static string? Warning(IReadOnlyList<LabelDataset> datasets, DateTimeOffset labelledFrom, string labelled)
    {
        var stale = datasets.Where(d => labelledFrom - d.Oldest > StaleAfter).ToList();
        if (stale.Count == 0) return null;
        var oldest = stale.MinBy(d => d.Oldest)!;
        var age = Numbers.Count((int)(labelledFrom - oldest.Oldest).TotalDays, "day", "days");
        // One sentence however many datasets are old: the section at the end lists each with its date.
        var which = stale.Count == 1
            ? $"source labels from {oldest.Source} come from data of {Day(oldest.Oldest)}, {age} before {labelled}."
            : $"source labels from {stale.Count} of {datasets.Count} datasets come from data over {StaleAfter.Days} days older than {labelled}; the oldest, {oldest.Source}, from {Day(oldest.Oldest)}, {age} before it (all are listed under Data sources and attributions).";
        return $"Warning: {which} Countries, networks and source types may have changed since; refresh the intel data.";
    }

    private static List<LabelDataset> Sorted(Dictionary<string, (DateTimeOffset Oldest, DateTimeOffset Newest)> datasets)
        => datasets.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new LabelDataset(UntrustedText.Sanitize(d.Key, MaxSourceChars), d.Value.Oldest, d.Value.Newest)).ToList();

    private static string Dates(LabelDataset d)
        => Day(d.Oldest) == Day(d.Newest) ? $"data of {Day(d.Oldest)}" : $"data of {Day(d.Oldest)} to {Day(d.Newest)}";

    private static string Day(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
