using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.LocalRunner.Hosting;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

[Trait("Category", TestCategories.Unit)]
public sealed class DevStorageTests
{
    [Fact]
    public void IsStorageConfigured_NothingSet_IsFalse()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:TablePrefix"] = "dev", ["Storage:ConnectionString"] = " " }).Build();

        Assert.False(DevStorage.IsStorageConfigured(configuration));
    }

    [Theory]
    [InlineData("Storage:ConnectionString", "UseDevelopmentStorage=true")]
    [InlineData("AzureWebJobsStorage", "UseDevelopmentStorage=true")]
    [InlineData("Storage:TableServiceUri", "https://account.table.core.windows.net")]
    [InlineData("Storage:QueueServiceUri", "https://account.queue.core.windows.net")]
    [InlineData("Storage:BlobServiceUri", "https://account.blob.core.windows.net")]
    public void IsStorageConfigured_AnyStorageSetting_IsTrue(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        Assert.True(DevStorage.IsStorageConfigured(configuration));
    }

    /// <summary>A published runner started outside a checkout with no storage set: one line naming the settings, as for any setting.</summary>
    [Fact]
    public void NotConfiguredOutsideCheckout_AsTheRunnerReportsIt_IsOneLineNamingTheSettings()
    {
        var line = StartupFailure.Describe(DevStorage.NotConfiguredOutsideCheckout());

        Assert.NotNull(line);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("Storage:ConnectionString", line, StringComparison.Ordinal);
        Assert.Contains("checkout", line, StringComparison.Ordinal);
    }
}
