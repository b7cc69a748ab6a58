namespace IncidentFunctions.Tests;

/// <summary>
/// The <c>Category</c> trait every test class carries, so the fast set runs alone:
/// <c>dotnet test --filter Category=Unit</c>. <see cref="TestCategoryTests"/> keeps every class labelled and keeps
/// storage, processes and servers out of the unit set.
/// </summary>
public static class TestCategories
{
    /// <summary>In-process only: no Azurite, no child process, no listening socket, no Bicep compiler.</summary>
    public const string Unit = "Unit";

    /// <summary>Uses Azurite, starts a process or a server, or compiles the infrastructure.</summary>
    public const string Integration = "Integration";
}
