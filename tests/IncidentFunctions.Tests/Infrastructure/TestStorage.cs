using IncidentFunctions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>Storage clients as the composition registers them (<c>AddStorage</c>), for tests of one storage-backed class.</summary>
internal static class TestStorage
{
    public static StorageClients Clients(string connectionString, string tablePrefix = "")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = connectionString,
            ["Storage:TablePrefix"] = tablePrefix,
        }).Build();
        return new ServiceCollection().AddStorage(configuration).BuildServiceProvider().GetRequiredService<StorageClients>();
    }
}
