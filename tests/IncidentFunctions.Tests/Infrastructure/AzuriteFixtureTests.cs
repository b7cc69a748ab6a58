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
    public async Task StartAsync_ParentPipeCloses_AzuriteStopsByItself()
    {
        // Closing the pipe here is what the operating system does when this process dies, even by SIGKILL, which
        // skips every handler: Azurite must then stop without being told.
        var azurite = await IncidentFunctions.LocalRunner.DevServices.AzuriteProcess.StartAsync(AzuriteFixture.RepositoryRoot, cancellationToken: TestContext.Current.CancellationToken);
        await using (azurite)
        {
            azurite.CloseParentPipe();

            Assert.True(await azurite.WaitForExitAsync(TimeSpan.FromSeconds(30)), "Azurite still runs after its parent's end of the pipe closed.");
            using var client = new System.Net.Sockets.TcpClient();
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync(System.Net.IPAddress.Loopback, azurite.TablePort, TestContext.Current.CancellationToken).AsTask());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartAsync_SameDataDirectoryAfterAStop_KeepsWhatWasStored(bool parentKilled)
    {
        // Self-hosted serve keeps its storage in a data directory: what it stored must be there after a stop (dispose)
        // and after its process was killed (the pipe closing makes Azurite save and stop by itself).
        var data = Directory.CreateTempSubdirectory("azurite-data").FullName;
        var cancellationToken = TestContext.Current.CancellationToken;
        try
        {
            var first = await IncidentFunctions.LocalRunner.DevServices.AzuriteProcess.StartAsync(AzuriteFixture.RepositoryRoot, data, cancellationToken: cancellationToken);
            await using (first)
            {
                var table = new TableServiceClient(first.ConnectionString).GetTableClient("kept");
                await table.CreateIfNotExistsAsync(cancellationToken);
                await table.UpsertEntityAsync(new TableEntity("p", "r") { ["Value"] = 42 }, cancellationToken: cancellationToken);
                var queue = new Azure.Storage.Queues.QueueClient(first.ConnectionString, "kept");
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await queue.SendMessageAsync("message", cancellationToken);
                var container = new Azure.Storage.Blobs.BlobContainerClient(first.ConnectionString, "kept");
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await container.UploadBlobAsync("report.pdf", BinaryData.FromString("%PDF-"), cancellationToken);
                if (parentKilled)
                {
                    first.CloseParentPipe();
                    Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), "Azurite still runs after its parent's end of the pipe closed.");
                }
            }

            await using var second = await IncidentFunctions.LocalRunner.DevServices.AzuriteProcess.StartAsync(AzuriteFixture.RepositoryRoot, data, cancellationToken: cancellationToken);
            var row = await new TableServiceClient(second.ConnectionString).GetTableClient("kept").GetEntityAsync<TableEntity>("p", "r", cancellationToken: cancellationToken);
            Assert.Equal(42, row.Value.GetInt32("Value"));
            var message = await new Azure.Storage.Queues.QueueClient(second.ConnectionString, "kept").ReceiveMessageAsync(cancellationToken: cancellationToken);
            Assert.Equal("message", message.Value?.Body.ToString());
            var blob = await new Azure.Storage.Blobs.BlobContainerClient(second.ConnectionString, "kept").GetBlobClient("report.pdf").DownloadContentAsync(cancellationToken);
            Assert.Equal("%PDF-", blob.Value.Content.ToString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_NodeNotFound_SaysToInstallNode()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => IncidentFunctions.LocalRunner.DevServices.AzuriteProcess.StartAsync(
            AzuriteFixture.RepositoryRoot, null, "node-not-installed-" + Guid.NewGuid().ToString("N"), null, TestContext.Current.CancellationToken));

        Assert.Contains("Install Node.js 20+", error.Message, StringComparison.Ordinal);
        Assert.Contains("on the PATH", error.Message, StringComparison.Ordinal);
    }

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
