using IncidentFunctions.Enrichment;
using IncidentFunctions.Reports;

namespace IncidentFunctions.Tests.Reports;

/// <summary>Which datasets a report's source labels came from, and when that data is too old for the day it labels.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class LabelDataTests
{
    private static readonly DateTimeOffset DayStart = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ThirtyDays = TimeSpan.FromDays(30);

    private static SourceProfile Profile(string ip, params Provenance[] labels) => new() { Ip = ip, Provenance = labels };

    private static Provenance Label(string source, DateTimeOffset? date) => new("country", source, null, date);

    [Fact]
    public void Of_ProfilesWithDatedLabels_EachDatasetByNameWithItsOldestAndNewestDate()
    {
        var profiles = new[]
        {
            Profile("198.51.100.1", Label("tor-exits", DayStart.AddDays(-1)), Label("geo", DayStart.AddDays(-156))),
            Profile("198.51.100.2", Label("tor-exits", DayStart), Label("undated", null), Label("geo", DayStart.AddDays(-156))),
            Profile("198.51.100.3"),
        };

        var datasets = LabelData.Of(profiles);

        Assert.Equal(
            [new LabelDataset("geo", DayStart.AddDays(-156), DayStart.AddDays(-156)), new LabelDataset("tor-exits", DayStart.AddDays(-1), DayStart)],
            datasets);
        Assert.Equal("Source labels come from: geo (data of 2026-06-17), tor-exits (data of 2026-11-19 to 2026-11-20).", LabelData.Line(datasets));
        Assert.Null(LabelData.Line([]));
    }

    [Fact]
    public void Merge_DaysOfAPeriod_WidensEachDatasetToItsOldestAndNewestDate()
    {
        var monday = new[] { new LabelDataset("geo", DayStart.AddDays(-10), DayStart.AddDays(-9)) };
        var tuesday = new[] { new LabelDataset("geo", DayStart.AddDays(-8), DayStart.AddDays(-8)), new LabelDataset("drop", DayStart, DayStart) };

        Assert.Equal(
            [new LabelDataset("drop", DayStart, DayStart), new LabelDataset("geo", DayStart.AddDays(-10), DayStart.AddDays(-8))],
            LabelData.Merge([monday, tuesday]));
    }

    [Fact]
    public void Warning_DataMoreThanThirtyDaysOlderThanTheDay_SaysHowManyAndTheOldest()
    {
        var datasets = new[]
        {
            new LabelDataset("geo", DayStart.AddDays(-156), DayStart.AddDays(-1)),
            new LabelDataset("drop", DayStart.AddDays(-30), DayStart), // exactly 30 days: not yet old
            new LabelDataset("tor-exits", DayStart.AddDays(-31), DayStart.AddDays(-31)),
        };

        var warning = LabelData.Warning(datasets, DayStart, ThirtyDays, "this day");

        Assert.Equal(
            "Warning: source labels from 2 of 3 datasets come from data over 30 days older than this day; the oldest, geo, from 2026-06-17, 156 days before it (all are listed under Data sources and attributions). Countries, networks and source types may have changed since; refresh the intel data.",
            warning);
        Assert.Equal(
            "Warning: source labels from tor-exits come from data of 2026-10-20, 31 days before this period. Countries, networks and source types may have changed since; refresh the intel data.",
            LabelData.Warning([datasets[2]], DayStart, ThirtyDays, "this period"));
        Assert.Null(LabelData.Warning([datasets[1]], DayStart, ThirtyDays, "this day"));
    }

    [Fact]
    public void Warning_ThresholdOfSevenDays_CallsOutWhatThirtyWouldNot()
    {
        var geo = new LabelDataset("geo", DayStart.AddDays(-8), DayStart.AddDays(-8));

        Assert.Null(LabelData.Warning([geo], DayStart, ThirtyDays, "this day"));
        Assert.Equal(
            "Warning: source labels from 2 of 2 datasets come from data over 7 days older than this day; the oldest, geo, from 2026-11-12, 8 days before it (all are listed under Data sources and attributions). Countries, networks and source types may have changed since; refresh the intel data.",
            LabelData.Warning([geo, geo with { Source = "drop" }], DayStart, TimeSpan.FromDays(7), "this day"));
        Assert.Contains("over 1 day older", LabelData.Warning([geo, geo with { Source = "drop" }], DayStart, TimeSpan.FromDays(1), "this day"), StringComparison.Ordinal);
    }
}
