using System.Reflection;
using IncidentFunctions.LocalRunner.DevServices;

[assembly: AssemblyFixture(typeof(IncidentFunctions.Tests.Infrastructure.AzuriteFixture))]

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// One in-memory Azurite for the whole test run, on free ports, killed afterwards. Test classes keep apart through
/// unique table prefixes and queue names (<see cref="UniqueNames"/>).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public static string RepositoryRoot =>
        typeof(AzuriteFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
        ?? RepositoryLayout.FindRoot()
        ?? throw new InvalidOperationException("Cannot find the repository root (package.json beside IncidentFunctions.sln).");

    public async ValueTask InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync(RepositoryRoot);
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

/// <summary>Names that no other test class uses: a table prefix and queue names.</summary>
public static class UniqueNames
{
    public static string TablePrefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    public static string Queue(string stem = "q") => $"{stem}-{Guid.NewGuid():N}"[..Math.Min(50, stem.Length + 33)];
}
