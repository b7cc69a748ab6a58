namespace IncidentFunctions.LocalRunner.DevServices;

/// <summary>Finds the repository root (the folder with <c>package.json</c> and <c>host.json</c>) from wherever the binaries run.</summary>
public static class RepositoryLayout
{
    public static string? FindRoot(params string?[] startDirectories)
    {
        foreach (var start in startDirectories.Append(Directory.GetCurrentDirectory()).Append(AppContext.BaseDirectory))
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "IncidentFunctions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
