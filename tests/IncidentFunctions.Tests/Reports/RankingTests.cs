using IncidentFunctions.Reports;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class RankingTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 1)]
    [InlineData(1_000, 10)]
    [InlineData(1_000, 999)]
    [InlineData(1_000, 1_001)]
    public void Top_ManyItemsWithRepeatedKeys_AreTheFirstOfAFullSort(int count, int top)
    {
        // Scores repeat often, so the tie-break (the name) decides many places, as the reports' IP order does.
        var random = new Random(count + top);
        var items = Enumerable.Range(0, count).Select(i => (Score: random.Next(20), Name: $"n{random.Next(100_000):D5}-{i}")).ToList();
        var order = Comparer<(int Score, string Name)>.Create((x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : string.CompareOrdinal(x.Name, y.Name));

        var actual = Ranking.Top(items, top, order);

        Assert.Equal(items.OrderByDescending(i => i.Score).ThenBy(i => i.Name, StringComparer.Ordinal).Take(top), actual);
    }
}
