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

    [Fact]
    public async Task LatestDayWithRowsAsync_DaysWithAndWithoutRows_FindsTheLatestWithinTheDaysGiven()
    {
        await using var app = await AppHarness.StartAsync(azurite, o => o.ClientId = Tenant, clock: new ManualClock(Now));
        var store = app.Get<IncidentStore>();
        await store.UpsertAsync([Incident("a:1", Monday), Incident("a:2", Monday.PlusDays(-3)), Incident("other:1", Monday.PlusDays(1), tenant: Tenant + 1)], Now, Ct);

        Assert.Equal(Monday, await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(2), 10, Ct));
        Assert.Equal(Monday, await store.LatestDayWithRowsAsync(Tenant, Monday, 1, Ct));
        Assert.Equal(Monday.PlusDays(-3), await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(-1), 3, Ct));
        Assert.Null(await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(-1), 2, Ct));
        Assert.Null(await store.LatestDayWithRowsAsync(Tenant, Monday.PlusDays(-4), 30, Ct));
    }

    private static Incident Incident(string id, LocalDate day, long tenant = Tenant)
    {
        var at = new DateTimeOffset(day.Year, day.Month, day.Day, 10, 0, 0, TimeSpan.Zero);
        return new Incident { TenantId = tenant, Id = id, FirstSeen = at, LastSeen = at.AddMinutes(5), AttackType = "sqli", Hits = 1, VulnerabilityId = 7 };
    }
}
