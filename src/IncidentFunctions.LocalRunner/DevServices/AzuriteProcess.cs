using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.LocalRunner.DevServices;

/// <summary>
/// Runs Azurite from the repository's npm packages on free loopback ports, installing them first when missing.
/// Used by the demo, by <c>serve</c> without configured storage, and by the test fixture.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>The emulator account this process's Azurite instances serve (the emulator's usual account name, which the Azure SDK recognises, given to Azurite with a key of this process through <c>AZURITE_ACCOUNTS</c>).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>
    /// A key made for this process instead of Azurite's well-known one, so no storage key is written in the repository
    /// and a stray emulator on the machine cannot be reached with a key everybody knows.
    /// </summary>
    public static readonly string AccountKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

    private readonly Process _process;
    private readonly StringBuilder _output;

    private AzuriteProcess(Process process, StringBuilder output, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>CPU time Azurite (one Node process) has used so far: benchmarks report the storage side's share.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>Starts Azurite. <paramref name="dataDirectory"/> null keeps everything in memory.</summary>
    public static Task<AzuriteProcess> StartAsync(string repositoryRoot, string? dataDirectory = null, ILogger? logger = null, CancellationToken cancellationToken = default)
        => StartAsync(repositoryRoot, dataDirectory, "node", logger, cancellationToken);

    /// <summary>As <see cref="StartAsync(string, string?, ILogger?, CancellationToken)"/> with Node.js at <paramref name="node"/> (a name looked up on the PATH, or a path).</summary>
    internal static async Task<AzuriteProcess> StartAsync(string repositoryRoot, string? dataDirectory, string node, ILogger? logger, CancellationToken cancellationToken)
    {
        logger ??= NullLogger.Instance;
        var azurite = AzuriteScript(repositoryRoot);
        if (azurite is null || MissingPackages(repositoryRoot).Count > 0)
        {
            await NpmInstallAsync(repositoryRoot, logger, cancellationToken).ConfigureAwait(false);
            azurite = AzuriteScript(repositoryRoot)
                ?? throw new InvalidOperationException($"Azurite is still missing from {Path.Combine(repositoryRoot, "node_modules", "azurite")} after 'npm install'. Run 'npm ci' in {repositoryRoot} and check its output.");
        }

        var ports = FreePorts(3);
        int blob = ports[0], queue = ports[1], table = ports[2];
        var arguments = new List<string>
        {
            "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (dataDirectory is null)
        {
            arguments.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(dataDirectory);
            arguments.Add("--location");
            arguments.Add(dataDirectory);
        }

        var startInfo = new ProcessStartInfo(node)
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["AZURITE_ACCOUNTS"] = $"{AccountName}:{AccountKey}";
        startInfo.ArgumentList.Add("-e");
        startInfo.ArgumentList.Add(StopWithParentScript);
        startInfo.ArgumentList.Add(azurite);
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        var output = new StringBuilder();
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start Azurite with '{node}' ({ex.Message}). Install Node.js 20+ and make sure 'node' is on the PATH.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = new AzuriteProcess(process, output, blob, queue, table);
        try
        {
            await instance.WaitUntilListeningAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await instance.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Log.Started(logger, blob, queue, table, dataDirectory ?? "(in memory)");
        return instance;
    }

    /// <summary>
    /// Runs Azurite's own entry point (its arguments after <c>-e</c> are shaped as if Node ran it directly) and stops it
    /// when standard input ends. Nothing is ever written there: the pipe's other end closes when this process exits,
    /// however it exits (a kill signal skips <see cref="DisposeAsync"/>), so a killed runner, benchmark or test run
    /// does not leave Azurite behind holding its ports and, for <c>serve</c>, writing to the data directory the next
    /// start opens. SIGTERM lets Azurite close its servers and save; the timer ends it if that hangs.
    /// </summary>
    private const string StopWithParentScript = """
        const stop = () => { process.kill(process.pid, 'SIGTERM'); setTimeout(() => process.exit(1), 10000).unref(); };
        process.stdin.on('end', stop).on('error', stop).resume();
        require(process.argv[1]);
        """;

    /// <summary>Azurite's entry script from its package's <c>bin</c> (the <c>.bin</c> link is a shell shim on some systems); null when not installed.</summary>
    private static string? AzuriteScript(string repositoryRoot)
    {
        var package = Path.Combine(repositoryRoot, "node_modules", "azurite");
        var manifest = Path.Combine(package, "package.json");
        if (!File.Exists(manifest)) return null;
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
        var bin = doc.RootElement.TryGetProperty("bin", out var bins) && bins.ValueKind == System.Text.Json.JsonValueKind.Object
                  && bins.TryGetProperty("azurite", out var entry) && entry.ValueKind == System.Text.Json.JsonValueKind.String
            ? entry.GetString()!
            : "dist/src/azurite.js";
        var script = Path.GetFullPath(Path.Combine(package, bin));
        return File.Exists(script) ? script : null;
    }

    /// <summary>Closes Azurite's standard input as this process's exit would (tests: Azurite must stop by itself).</summary>
    internal void CloseParentPipe() => _process.StandardInput.Close();

    /// <summary>Whether Azurite has stopped, waiting up to <paramref name="timeout"/>.</summary>
    internal async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening. Its output:\n{Output}");
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"Azurite did not listen on port {port} within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (SocketException)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // As if this process had exited: Azurite closes its servers and saves (serve's data directory); a
                // kill follows if it has not stopped within the grace period.
                CloseParentPipe();
                if (!await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
                {
                    _process.Kill(entireProcessTree: true);
                    await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // Already gone: its pipe or process handle closed under us; nothing more to do.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>
    /// Packages package.json names that node_modules lacks: a checkout updated since the last install (for example
    /// one that added the intel data packages) gets them installed instead of failing later.
    /// </summary>
    internal static IReadOnlyList<string> MissingPackages(string repositoryRoot)
    {
        var packageJson = Path.Combine(repositoryRoot, "package.json");
        if (!File.Exists(packageJson)) return [];
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(packageJson));
        var missing = new List<string>();
        foreach (var section in new[] { "dependencies", "devDependencies" })
        {
            if (!doc.RootElement.TryGetProperty(section, out var deps) || deps.ValueKind != System.Text.Json.JsonValueKind.Object) continue;
            foreach (var dep in deps.EnumerateObject())
            {
                if (!File.Exists(Path.Combine(repositoryRoot, "node_modules", dep.Name, "package.json"))) missing.Add(dep.Name);
            }
        }

        return missing;
    }

    internal static async Task NpmInstallAsync(string repositoryRoot, ILogger logger, CancellationToken cancellationToken)
    {
        var useCi = File.Exists(Path.Combine(repositoryRoot, "package-lock.json"));
        Log.Installing(logger, repositoryRoot);
        var startInfo = new ProcessStartInfo("npm")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { useCi ? "ci" : "install", "--no-audit", "--no-fund" }) startInfo.ArgumentList.Add(a);
        using var npm = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start npm. Install Node.js 20+ and npm, then run 'npm ci' in the repository root.");
        var stdout = npm.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = npm.StandardError.ReadToEndAsync(cancellationToken);
        await npm.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"'npm {(useCi ? "ci" : "install")}' failed with exit code {npm.ExitCode} in {repositoryRoot}:\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
        }
    }

    /// <summary>Distinct free ports: all listeners stay open until every port is chosen, so none is handed out twice.</summary>
    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Azurite listening: blob {BlobPort}, queue {QueuePort}, table {TablePort}; data {Data}")]
        public static partial void Started(ILogger logger, int blobPort, int queuePort, int tablePort, string data);

        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Installing the repository's npm packages (Azurite) in {Root}")]
        public static partial void Installing(ILogger logger, string root);
    }
}
