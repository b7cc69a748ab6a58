using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.LocalRunner.DevServices;

/// <summary>
/// maildev (npm, a devDependency of the repository): an SMTP server that keeps what it receives and shows it in a web
/// UI and a REST API under <c>/api/</c>. Started on two free loopback ports, with its own temporary folder (maildev
/// writes every message under <c>$TMPDIR/maildev</c> even in memory, and "delete all" empties that folder, so two
/// instances must not share it) and its own working directory (it reads config files from there). It ends with the
/// process that started it, however that ends: its stdin is a pipe from us, and a preloaded module exits when the pipe
/// closes. The demo and the tests use it.
/// </summary>
public sealed partial class MailDevProcess : IAsyncDisposable
{
    // Preloaded with `node --import`: the pipe closes when our process ends (even on kill -9), and maildev with it.
    private const string ExitWithParent = "data:text/javascript,process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly string _directory;

    private MailDevProcess(Process process, StringBuilder output, string directory, int smtpPort, int webPort)
    {
        _process = process;
        _output = output;
        _directory = directory;
        SmtpPort = smtpPort;
        WebPort = webPort;
    }

    public int SmtpPort { get; }

    public int WebPort { get; }

    /// <summary>The web UI; the REST API is under <c>api/</c> (<c>api/email</c>, <c>api/email/{id}/source</c>…).</summary>
    public Uri WebAddress => new($"http://127.0.0.1:{WebPort.ToString(CultureInfo.InvariantCulture)}/");

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<MailDevProcess> StartAsync(string repositoryRoot, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var script = Path.Combine(repositoryRoot, "node_modules", "maildev", "dist", "bin", "maildev.js");
        if (!File.Exists(script))
        {
            await AzuriteProcess.NpmInstallAsync(repositoryRoot, logger, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(script)) throw new InvalidOperationException($"maildev is still missing at {script} after 'npm ci'. Run 'npm ci' in {repositoryRoot} and check its output.");
        }

        var ports = AzuriteProcess.FreePorts(2);
        var directory = Directory.CreateTempSubdirectory("maildev-").FullName;
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["TMPDIR"] = directory;
        // MAILDEV_* settings of the environment could add an outgoing relay: none of them applies here.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("MAILDEV_", StringComparison.Ordinal)).ToList()) startInfo.Environment.Remove(key);
        foreach (var argument in new[]
                 {
                     "--import", ExitWithParent, script,
                     "--smtp", ports[0].ToString(CultureInfo.InvariantCulture), "--ip", "127.0.0.1",
                     "--web", ports[1].ToString(CultureInfo.InvariantCulture), "--web-ip", "127.0.0.1",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        if (!process.Start()) throw new InvalidOperationException("Could not start node for maildev. Install Node.js 20+.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = new MailDevProcess(process, output, directory, ports[0], ports[1]);
        try
        {
            await instance.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await instance.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Log.Started(logger, ports[0], instance.WebAddress);
        return instance;
    }

    /// <summary>maildev starts SMTP before the web server, so an answering <c>api/healthz</c> means both listen.</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = WebAddress, Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"maildev exited with code {_process.ExitCode} before listening. Its output:\n{Output}");
            if (watch.Elapsed > timeout) throw new TimeoutException($"maildev did not answer on {WebAddress}api/healthz within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri("api/healthz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or it ends when our stdin pipe closes.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file still held open; the folder is under the temp directory.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "maildev listening: SMTP on 127.0.0.1:{SmtpPort}, web UI and API on {WebAddress}")]
        public static partial void Started(ILogger logger, int smtpPort, Uri webAddress);
    }
}
