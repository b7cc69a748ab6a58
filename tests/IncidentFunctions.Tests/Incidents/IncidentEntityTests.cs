using Azure.Data.Tables;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Incidents;

[Trait("Category", TestCategories.Integration)]
public sealed class IncidentEntityTests(AzuriteFixture azurite)
{
    /// <summary>The end <see cref="StoredText.Bound"/> gives a cut value.</summary>
    private const string TruncationMarker = @"…\[truncated \d+ chars\]$";

    private static Incident Hostile() => new()
    {
        TenantId = 5,
        Id = "attacks_production_5_202611_v_1:a/b#c",
        FirstSeen = ManualClock.DefaultStart,
        LastSeen = ManualClock.DefaultStart.AddMinutes(5),
        AttackType = "ptrav",
        Domain = new string('d', 5_000) + ".example.com",
        Path = "/" + new string('A', 1_048_576),
        Parameter = new string('p', 50_000),
        VulnerabilityId = 1,
        TopIps = Enumerable.Range(0, 40).Select(i => new IncidentSourceIp($"203.0.113.{i}", 40 - i, "DE")).ToList(),
    };

    [Fact]
    public void From_HugeAttackerStrings_AreBoundedWithAVisibleMarker()
    {
        var row = IncidentEntity.From(Hostile(), "5-20261120", "2026-11-20", "UTC", ManualClock.DefaultStart);

        Assert.True(row.Path!.Length <= IncidentEntity.MaxPathChars);
        Assert.Matches(TruncationMarker, row.Path);
        Assert.Matches(TruncationMarker, row.Domain);
        Assert.Matches(TruncationMarker, row.Parameter);
        Assert.Equal(IncidentEntity.MaxTopIps, row.ReadTopIps().Count);
        Assert.Equal("attacks_production_5_202611_v_1:a%2Fb%23c", row.RowKey);
    }

    [Fact]
    public async Task From_HugeAttackerStrings_AreAcceptedByTableStorage()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(UniqueNames.TablePrefix() + "bounds");
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        var row = IncidentEntity.From(Hostile(), "5-20261120", "2026-11-20", "UTC", ManualClock.DefaultStart);

        await table.UpsertEntityAsync(row, TableUpdateMode.Merge, TestContext.Current.CancellationToken);

        var stored = (await table.GetEntityAsync<IncidentEntity>(row.PartitionKey, row.RowKey, cancellationToken: TestContext.Current.CancellationToken)).Value;
        Assert.Equal(row.Path, stored.Path);
        Assert.Equal("attacks_production_5_202611_v_1:a/b#c", stored.IncidentId);
    }
}
