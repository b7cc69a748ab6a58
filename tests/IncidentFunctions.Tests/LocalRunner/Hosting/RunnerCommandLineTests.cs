using IncidentFunctions.LocalRunner.Hosting;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

[Trait("Category", TestCategories.Unit)]
public sealed class RunnerCommandLineTests
{
    [Fact]
    public void Parse_NoArguments_ServesWithNone()
    {
        var (mode, arguments) = RunnerCommandLine.Parse([]);

        Assert.Equal("serve", mode);
        Assert.Empty(arguments);
    }

    [Fact]
    public void Parse_ConfigurationFirst_ServesWithEveryArgument()
    {
        var (mode, arguments) = RunnerCommandLine.Parse(["--LocalRunner:Urls=http://127.0.0.1:9000", "--Storage:TablePrefix=dev"]);

        Assert.Equal("serve", mode);
        Assert.Equal(["--LocalRunner:Urls=http://127.0.0.1:9000", "--Storage:TablePrefix=dev"], arguments);
    }

    [Fact]
    public void Parse_ModeFirst_PassesTheRestToIt()
    {
        var (mode, arguments) = RunnerCommandLine.Parse(["Serve", "--LocalRunner:EnableTimers=false"]);

        Assert.Equal("serve", mode);
        Assert.Equal(["--LocalRunner:EnableTimers=false"], arguments);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_HelpSwitchAnywhere_IsHelp(string help)
    {
        Assert.Equal("help", RunnerCommandLine.Parse([help]).Mode);
        Assert.Equal("help", RunnerCommandLine.Parse(["serve", help]).Mode);
    }

    [Fact]
    public void Parse_UnknownMode_IsReturnedForTheCallerToReject()
    {
        Assert.Equal("demo", RunnerCommandLine.Parse(["demo"]).Mode);
    }
}
