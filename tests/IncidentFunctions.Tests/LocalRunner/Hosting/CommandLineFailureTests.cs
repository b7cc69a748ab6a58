using System.Text.RegularExpressions;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

/// <summary>
/// A bad setting given to <c>serve</c> or <c>demo</c> ends the built runner with one line on stderr naming the setting
/// and what is wrong, and a non-zero exit code: no stack trace anywhere in the output.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed partial class CommandLineFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>A configured key, so no run creates the key file in the repository.</summary>
    private const string KeySetting = "--LocalRunner:FunctionKeys:0=FAKE-cli-test-function-key";

    [Theory]
    [InlineData("serve", "--Reports:TimeZone=Mars/Olympus", "Reports:TimeZone", "is not an IANA time zone id")]
    [InlineData("demo", "--Reports:TimeZone=Mars/Olympus", "Reports:TimeZone", "is not an IANA time zone id")]
    [InlineData("serve", "--Wallarm:PageSize=0", "Wallarm:PageSize", "must be between 1 and 1000")]
    [InlineData("demo", "--Wallarm:PageSize=0", "Wallarm:PageSize", "must be between 1 and 1000")]
    [InlineData("serve", "--PULL_INCIDENTS_SCHEDULE=every five minutes", "PULL_INCIDENTS_SCHEDULE", "is not a 6-field NCRONTAB expression")]
    [InlineData("demo", "--DAILY_DIGEST_SCHEDULE=0 */15 * * *", "DAILY_DIGEST_SCHEDULE", "NCRONTAB")]
    [InlineData("serve", "--Wallarm:PageSize=many", "Wallarm:PageSize", "must be a whole number")]
    [InlineData("demo", "--Reports:PageSize=Huge", "Reports:PageSize", "must be one of A4, Letter")]
    [InlineData("serve", "--LocalRunner:Urls=ftp://127.0.0.1:21", "LocalRunner:Urls", "is not an http(s) address")]
    [InlineData("serve", "--Storage:ConnectionString=garbage", "Storage:ConnectionString", "is not a storage connection string")]
    [InlineData("serve", "--Digest:Channels:0:Kind=Carrier", "Digest:Channels:0:Kind", "must be one of Slack, Teams")]
    [InlineData("demo", "--Enrichment:Sources:0:Type=Carrier", "Enrichment:Sources:0:Type", "is left out")]
    [InlineData("serve", "--Logging:LogLevel:Default=Loud", "Logging:LogLevel:Default", "must be one of Trace, Debug, Information")]
    [InlineData("demo", "--Logging:Console:LogLevel:Polly=Quiet", "Logging:Console:LogLevel:Polly", "got 'Quiet'")]
    public async Task Runner_BadSetting_PrintsOneLineNamingItAndExitsNonZero(string mode, string setting, string name, string problem)
    {
        await using var runner = await RunnerProcess.RunAsync(
            [mode, $"--Storage:ConnectionString={RunnerProcess.UnreachableStorage()}", "--Wallarm:ApiToken=FAKE-cli-test-token", "--LocalRunner:Urls=http://127.0.0.1:0", KeySetting, setting],
            Timeout);

        AssertOneLineFailure(runner, name, problem);
    }

    [Fact]
    public async Task Serve_BadHostJson_PrintsOneLineNamingTheKeyAndExitsNonZero()
    {
        using var hostJson = new TestHostJson("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 0 } } }""");

        await using var runner = await RunnerProcess.RunAsync(
            ["serve", $"--Storage:ConnectionString={RunnerProcess.UnreachableStorage()}", "--Wallarm:ApiToken=FAKE-cli-test-token", KeySetting, $"--LocalRunner:HostJsonPath={hostJson.Path}"],
            Timeout);

        AssertOneLineFailure(runner, "extensions.queues.batchSize", "must be between 1 and 32");
        Assert.Contains(hostJson.Path, runner.StandardError, StringComparison.Ordinal);
    }

    private static void AssertOneLineFailure(RunnerProcess runner, string setting, string problem)
    {
        var output = $"stdout:\n{runner.StandardOutput}\nstderr:\n{runner.StandardError}";
        Assert.True(runner.ExitCode != 0, $"The runner exited with 0.\n{output}");
        var line = Assert.Single(runner.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("The runner cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.False(StackFrame().IsMatch(runner.AllOutput), $"The output has a stack trace.\n{output}");
        Assert.DoesNotContain("Unhandled exception", runner.AllOutput, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex StackFrame();
}
