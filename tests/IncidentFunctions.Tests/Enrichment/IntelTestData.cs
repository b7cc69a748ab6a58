using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Enrichment;

/// <summary>Sample files, the npm data files and small snapshots for the enrichment tests.</summary>
internal static class IntelTestData
{
    public static readonly DateTimeOffset Observed = new(2025, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Enrichment", "Samples", name));

    /// <summary>A file of the npm packages the repository installs (<c>npm ci</c>); the test fails, with the command, when it is missing.</summary>
    public static string NpmFile(string relative)
    {
        var path = Path.Combine(AzuriteFixture.RepositoryRoot, "node_modules", relative);
        Assert.True(File.Exists(path), $"{path} is missing: run 'npm ci' at the repository root.");
        return path;
    }

    public static IntelSourceContent Parse(IntelSourceType type, string sample, string? provider = null, IntelListCategory category = IntelListCategory.Malicious)
        => IntelParsers.Parse(type, Sample(sample), new IntelParseContext(Observed, provider, category));

    public static IntelSourceData Source(string name, IntelSourceType type, IntelSourceContent content, IntelListCategory? category = null, string? attribution = null)
        => new(new IntelSourceInfo
        {
            Name = name,
            Type = type,
            Location = "test:" + name,
            Category = category,
            DatasetVersion = content.DatasetVersion ?? "v-" + name,
            DatasetDate = content.DatasetDate ?? Observed,
            FetchedAt = Observed,
            Attribution = attribution,
            Entries = content.Entries,
        }, content);

    public static IntelSourceData Sample(string name, IntelSourceType type, string sample, IntelListCategory? category = null, string? provider = null)
        => Source(name, type, Parse(type, sample, provider, category ?? IntelListCategory.Malicious), category);

    public static IntelIndex Index(params IntelSourceData[] sources) => IntelIndex.Build(new IntelSnapshot("test", Observed, sources));

    public static UInt128 Ip(string text) => IpNumber.TryParse(text, out var value) ? value : throw new ArgumentException(text);

    /// <summary>The value of the smallest range of <paramref name="table"/> holding <paramref name="ip"/>; fails when none does.</summary>
    public static T At<T>(RangeTable<T>? table, string ip)
        where T : notnull
    {
        Assert.NotNull(table);
        var id = SegmentBuilder.SmallestWins(table.Ranges).Find(Ip(ip));
        Assert.True(id >= 0, $"{ip} is in no range");
        return table.Values[id];
    }

    public static bool Listed(IntelSourceContent content, string ip) => SegmentBuilder.SmallestWins(content.Listed!).Find(Ip(ip)) >= 0;
}
