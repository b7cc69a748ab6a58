namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>The runner's web host builder, for every mode that serves.</summary>
internal static class RunnerWebBuilder
{
    /// <summary>
    /// <see cref="WebApplication.CreateBuilder(string[])"/> with settings read once: they are validated at start, and
    /// watching appsettings.json for changes made the file provider watch the content root, the working directory,
    /// with every folder below it (one inotify watch each: 6,900 from a clone with its npm packages, more from a home
    /// directory, against a per-user limit as low as 8,192). <c>--hostBuilder:reloadConfigOnChange=true</c> turns it back on.
    /// </summary>
    public static WebApplicationBuilder Create(string[] args) => WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
}
