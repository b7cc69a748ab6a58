using System.Diagnostics;
using System.Text;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>
/// The built local runner (the same IncidentFunctions.LocalRunner.dll `dotnet run` starts) as a child process, with
/// every line it writes to stdout and stderr kept: what an operator sees in a terminal or a log collector.
/// </summary>
internal sealed class RunnerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    private RunnerProcess(Process process) => _process = process;

    public string StandardOutput
    {
        get
        {
            lock (_gate) return _stdout.ToString();
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate) return _stderr.ToString();
        }
    }

    /// <summary>Both streams, as a terminal would interleave them (roughly).</summary>
    public string AllOutput => StandardOutput + StandardError;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the runner in the repository root with <paramref name="args"/>; <paramref name="environment"/> adds variables.</summary>
    public static RunnerProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AzuriteFixture.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IncidentFunctions.LocalRunner.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Nothing from the test process's own environment decides what the runner does.
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var runner = new RunnerProcess(process);
        process.OutputDataReceived += (_, e) => runner.Append(runner._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => runner.Append(runner._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>Runs the runner to its end and returns it (for modes that exit on their own).</summary>
    public static async Task<RunnerProcess> RunAsync(IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var runner = Start(args, environment);
        await runner.WaitForExitAsync(timeout);
        return runner;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The runner did not exit within {timeout.TotalSeconds:0} s. Output so far:\n{AllOutput}");
        }

        // Exited: make sure the asynchronous readers have delivered the last lines.
        _process.WaitForExit();
    }

    /// <summary>The first output line (either stream) that matches; fails with the output so far after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = (_stdout.ToString() + _stderr).Split('\n').FirstOrDefault(l => match(l.TrimEnd('\r')));
            if (existing is not null) return existing;
            _waiters.Add((match, seen));
        }

        try
        {
            return await seen.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching runner output within {timeout.TotalSeconds:0} s (exited: {_process.HasExited}). Output so far:\n{AllOutput}");
        }
    }

    /// <summary>Stops the runner as Ctrl+C would (SIGINT is not available to a child without a terminal: SIGTERM, which the host handles the same way).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone, or not going; nothing more to do.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            target.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Seen.TrySetResult(line);
            }
        }
    }

    /// <summary>A connection string to an account nobody listens on: enough for settings validation, never reached.</summary>
    public static string UnreachableStorage()
    {
        var port = AzuriteProcess.FreePorts(1)[0];
        var account = $"http://127.0.0.1:{port}/{AzuriteProcess.AccountName}";
        return $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};BlobEndpoint={account};QueueEndpoint={account};TableEndpoint={account};";
    }
}
