using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IncidentFunctions.Tests.Infra;

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (its build props set $(BicepPath), passed in as
/// assembly metadata). Fully offline: resource types are embedded, and infra/ uses no registry modules.
/// </summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string Path { get; } = Repo.Metadata("BicepPath");

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        /// <summary>
        /// Diagnostics of level Warning or Error. Bicep reports type errors (BCP036/037/081/089) as warnings and still
        /// exits 0, so any such line counts as a failure.
        /// </summary>
        public IReadOnlyList<string> Diagnostics => [.. (StdOut + "\n" + StdErr).Split('\n').Select(l => l.Trim()).Where(l => DiagnosticLine().IsMatch(l))];
    }

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Path), $"Bicep CLI not found at {Path}; restore the test project (package Azure.Bicep.CommandLine.linux-x64).");
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // No telemetry or update checks from the CLI: it must behave the same with no network at all.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@" : (Warning|Error) ")]
    private static partial Regex DiagnosticLine();
}
