using IncidentFunctions.LocalRunner.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

[Trait("Category", TestCategories.Unit)]
public sealed class LogLevelSettingsTests
{
    private static IConfiguration Settings(params (string Key, string? Value)[] settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build();

    [Fact]
    public void Check_WhatLoggingAccepts_Passes()
    {
        LogLevelSettings.Check(Settings(
            ("Logging:LogLevel:Default", "warning"),
            ("Logging:LogLevel:Polly", "2"),
            ("Logging:LogLevel:System.Net.Http.HttpClient", ""),
            ("Logging:Console:LogLevel:Default", "None"),
            ("Logging:Console:FormatterName", "simple"), // not a level
            ("Wallarm:LogLevel", "Loud"))); // not logging's
    }

    [Fact]
    public void Check_Unreadable_FailsNamingEverySetting()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => LogLevelSettings.Check(Settings(
            ("Logging:LogLevel:Default", "Loud"),
            ("Logging:Debug:LogLevel:Polly", "verbose"))));

        Assert.Equal(
            [
                "setting 'Logging:Debug:LogLevel:Polly' must be one of Trace, Debug, Information, Warning, Error, Critical, None; got 'verbose'",
                "setting 'Logging:LogLevel:Default' must be one of Trace, Debug, Information, Warning, Error, Critical, None; got 'Loud'",
            ],
            ex.Failures);
    }
}
