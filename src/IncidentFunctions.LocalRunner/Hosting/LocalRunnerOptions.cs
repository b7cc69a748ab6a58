namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>How the local runner hosts the app's functions. Bound from the <c>LocalRunner</c> section.</summary>
public sealed class LocalRunnerOptions
{
    public const string SectionName = "LocalRunner";

    /// <summary>The Functions Core Tools' default address, so local requests and scripts work against either host.</summary>
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <summary>Where Kestrel listens; several addresses are separated by <c>;</c>. Wins over <c>--urls</c>/<c>ASPNETCORE_URLS</c>.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>Keys accepted by <c>Function</c>-level routes. When empty, one key is generated at start and logged once.</summary>
    public string[] FunctionKeys { get; set; } = [];

    /// <summary>host.json to honour; defaults to the copy beside the runner's binaries.</summary>
    public string? HostJsonPath { get; set; }

    /// <summary>Run the app's <c>ScheduledJob</c>s on their schedules.</summary>
    public bool EnableTimers { get; set; } = true;

    /// <summary>Listen on the app's <c>QueueJob</c> queues.</summary>
    public bool EnableQueues { get; set; } = true;

    /// <summary>The host.json actually used.</summary>
    public string ResolveHostJsonPath()
        => string.IsNullOrWhiteSpace(HostJsonPath) ? Path.Combine(AppContext.BaseDirectory, HostJsonSettings.FileName) : Path.GetFullPath(HostJsonPath);
}
