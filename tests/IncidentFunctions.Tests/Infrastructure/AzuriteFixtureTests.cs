using Azure.Data.Tables;

namespace IncidentFunctions.Tests.Infrastructure;

[Trait("Category", TestCategories.Integration)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ConnectionString_WhenUsed_ReachesARunningTableService()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(UniqueNames.TablePrefix() + "probe");
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 }, cancellationToken: TestContext.Current.CancellationToken);
        var row = await table.GetEntityAsync<TableEntity>("p", "r", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(42, row.Value.GetInt32("Value"));
    }
}

[Trait("Category", TestCategories.Integration)]
public sealed class AzuriteProcessTests
{
    [Fact]
    public void MissingPackages_AfterInstall_IsEmptyForTheRepository()
        => Assert.Empty(IncidentFunctions.LocalRunner.DevServices.AzuriteProcess.MissingPackages(AzuriteFixture.RepositoryRoot));

    [Fact]
    public void MissingPackages_PackageNotInstalled_IsListed()
    {
        var root = Directory.CreateTempSubdirectory("npmcheck").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "package.json"), """{"dependencies":{"left-pad":"1.3.0"},"devDependencies":{"azurite":"3.37.0"}}""");
            Directory.CreateDirectory(Path.Combine(root, "node_modules", "azurite"));
            File.WriteAllText(Path.Combine(root, "node_modules", "azurite", "package.json"), "{}");

            Assert.Equal(["left-pad"], IncidentFunctions.LocalRunner.DevServices.AzuriteProcess.MissingPackages(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
