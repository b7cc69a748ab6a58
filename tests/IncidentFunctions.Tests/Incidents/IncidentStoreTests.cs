using IncidentFunctions.Incidents;
using IncidentFunctions.Tests.Infrastructure;
using NodaTime;

namespace IncidentFunctions.Tests.Incidents;

/// <summary>Reads of the incident table, against real Azurite.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class IncidentStoreTests(AzuriteFixture azurite)
{
    private const long Tenant = 717;
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly LocalDate Monday = new(2026, 11, 23);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Incident At(long tenant, string id, LocalDate day)
        => TestIncidents.Sqli(tenant, id, new DateTimeOffset(day.Year, day.Month, day.Day, 10, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5));

    [Fact]
    public async Task LatestDayWithRowsAsync_DaysWithAndWithoutRows_FindsTheLatestWithinTheDaysGiven()
    {
        await using var app = await AppHarness.StartAsync(azurite, Tenant, Now);
        var store = app.Get<IncidentStore>();
        await store.UpsertAsync([At(Tenant, "a:1", Monday), At(Tenant, "a:2", Monday.PlusDays(-3)), At(Tenant + 1, "other:1", Monday.PlusDays(1))], Now, Ct);

        Assert.Equal(Monday, await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(2), 10, Ct));
        Assert.Equal(Monday, await store.LatestDayWithRowsAsync(Tenant, Monday, 1, Ct));
        Assert.Equal(Monday.PlusDays(-3), await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(-1), 3, Ct));
        Assert.Null(await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(-1), 2, Ct));
        Assert.Null(await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(-4), 30, Ct));
    }
}
