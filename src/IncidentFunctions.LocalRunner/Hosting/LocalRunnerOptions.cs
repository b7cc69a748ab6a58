namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>How the local runner hosts the app's functions. Bound from the <c>LocalRunner</c> section.</summary>
public sealed class LocalRunnerOptions
{
    public const string SectionName = "LocalRunner";

    /// <summary>The Functions Core Tools' default address, so local requests and scripts work against either host.</summary>
    public const string DefaultUrls = "http://127.0.0.1:7071";

    /// <summary>Where Kestrel listens; several addresses are separated by <c>;</c>. Wins over <c>--urls</c>/<c>ASPNETCORE_URLS</c>.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>Keys accepted by <c>Function</c>-level routes. When empty, the key in <see cref="FunctionKeyFile"/> is used.</summary>
    public string[] FunctionKeys { get; set; } = [];

    /// <summary>
    /// Where the key for <c>Function</c>-level routes is kept when <see cref="FunctionKeys"/> is empty: generated on first
    /// start, readable by its owner only, never logged. Default <c>&lt;repo&gt;/.localrunner/function-key</c> in a
    /// checkout, else <c>.localrunner/function-key</c> beside the runner.
    /// </summary>
    public string? FunctionKeyFile { get; set; }

    /// <summary>host.json to honour; defaults to the copy beside the runner's binaries.</summary>
    public string? HostJsonPath { get; set; }

    /// <summary>
    /// An image uploaded at start as the reports' logo (<c>Reports:LogoBlob</c> in the reports container), for storage
    /// with no other way in, such as the embedded Azurite. Unset: the stored logo, if any, is left as it is.
    /// </summary>
    public string? LogoFile { get; set; }

    /// <summary>Run the app's <c>ScheduledJob</c>s on their schedules.</summary>
    public bool EnableTimers { get; set; } = true;

    /// <summary>Listen on the app's <c>QueueJob</c> queues.</summary>
    public bool EnableQueues { get; set; } = true;

    /// <summary>The key file actually used.</summary>
    public string ResolveFunctionKeyFile()
        => string.IsNullOrWhiteSpace(FunctionKeyFile)
            ? Path.Combine(DevServices.RepositoryLayout.FindRoot() ?? AppContext.BaseDirectory, ".localrunner", "function-key")
            : Path.GetFullPath(FunctionKeyFile);

    /// <summary>The host.json actually used.</summary>
    public string ResolveHostJsonPath() => ResolveHostJsonPath(HostJsonPath);

    /// <summary>The host.json used for a configured <see cref="HostJsonPath"/> (null or blank: the one beside the runner).</summary>
    public static string ResolveHostJsonPath(string? configured)
        => string.IsNullOrWhiteSpace(configured) ? Path.Combine(AppContext.BaseDirectory, HostJsonSettings.FileName) : Path.GetFullPath(configured);
}
