using System.Diagnostics;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>The test classes that drive the browser share one Chromium (started only when one of them runs).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// One Playwright driver and one headless Chromium from the Debian package <c>chromium</c> (Playwright's own browser
/// download cannot run here), launched by its executable path; each test makes its own context. When Chromium is
/// missing, <c>ensure-chromium.sh</c> installs it with apt-get (root or passwordless sudo), so the README's test command
/// works on a clean machine. <c>CHROMIUM_PATH</c> selects another binary.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>
    /// Headless and offline: no sandbox (tests run as root in CI containers), no GPU, no QUIC, no background services;
    /// the resolver rule answers every host name but the loopback ones with NOTFOUND without asking DNS, so nothing
    /// the browser does at start (Google account and update checks) leaves the machine.
    /// </summary>
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    ];

    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    /// <summary>Where screenshots go: <c>artifacts/browser/</c> under the repository (git-ignored).</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AzuriteFixture.RepositoryRoot, "artifacts", "browser")).FullName;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await EnsureChromiumAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true, Args = Args, Timeout = 60_000 });
    }

    /// <summary>A new context (own cookies, viewport) and page; the caller disposes the context.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        context.SetDefaultTimeout(20_000);
        return (context, await context.NewPageAsync());
    }

    private static async Task EnsureChromiumAsync()
    {
        if (File.Exists(ExecutablePath)) return;
        var script = Path.Combine(AzuriteFixture.RepositoryRoot, "tests", "IncidentFunctions.Tests", "Infrastructure", "ensure-chromium.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(15));
        if (process.ExitCode != 0 || !File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ExecutablePath} and {script} could not install it (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
    }
}
