using IncidentFunctions.Storage;

namespace IncidentFunctions.Tests.Storage;

[Trait("Category", TestCategories.Unit)]
public sealed class TableKeysTests
{
    [Theory]
    [InlineData("attacks_production_5_202608_v_1:Xy12AbCdEf")]
    [InlineData("a/b\\c#d?e%f\u0001g")]
    public void Escape_AnyText_RoundTripsAndHasNoForbiddenCharacters(string id)
    {
        var key = TableKeys.Escape(id);

        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        Assert.Equal(id, Uri.UnescapeDataString(key));
    }

    [Theory]
    [InlineData("5_2026-11-20", "PartitionKey eq '5_2026-11-20'")]
    [InlineData("o'brien", "PartitionKey eq 'o''brien'")]
    public void PartitionFilter_AnyPartition_IsQuotedAndEscaped(string partition, string expected)
    {
        Assert.Equal(expected, TableKeys.PartitionFilter(partition));
    }
}
