using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using IncidentFunctions.Operations;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace IncidentFunctions.Tests.Operations;

[Trait("Category", TestCategories.Unit)]
public sealed class TelemetryTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://ingest.invalid/";

    /// <summary>
    /// A host with an offline credential: disposing one flushes the exporter, which asks its credential for a token
    /// (the default credential asked the instance metadata endpoint, 169.254.169.254, from the test run).
    /// </summary>
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Azure.Core.TokenCredential>(new RefusingCredential());
        var all = new Dictionary<string, string?> { ["Wallarm:ApiToken"] = "t", ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" };
        foreach (var (key, value) in settings) all[key] = value;
        builder.Configuration.AddInMemoryCollection(all);
        builder.AddIncidentFunctions();
        return builder.Build();
    }

    [Fact]
    public void AddIncidentFunctions_NoConnectionString_RegistersNoExporter()
    {
        using var host = Build([]);

        Assert.Equal(TelemetryExport.Off, host.Services.GetRequiredService<TelemetryExport>());
        Assert.Null(host.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void AddIncidentFunctions_ConnectionStringWithEntraAuth_ExportsWithTheAppCredential()
    {
        using var host = Build(new()
        {
            [AppSettingNames.ApplicationInsightsConnectionString] = ConnectionString,
            [AppSettingNames.ApplicationInsightsAuthenticationString] = "ClientId=3f2504e0-4f89-11d3-9a0c-0305e82c3301;Authorization=AAD",
        });

        Assert.Equal(new TelemetryExport(true, "entra-id (user-assigned)"), host.Services.GetRequiredService<TelemetryExport>());
        var exporter = host.Services.GetRequiredService<IOptionsMonitor<Azure.Monitor.OpenTelemetry.Exporter.AzureMonitorExporterOptions>>().Get(Options.DefaultName);
        Assert.Equal(ConnectionString, exporter.ConnectionString);
        // The app's one credential (DefaultAzureCredential unless a host registers another: StorageClientsTests).
        Assert.IsType<RefusingCredential>(exporter.Credential);
        Assert.Same(host.Services.GetRequiredService<Azure.Core.TokenCredential>(), exporter.Credential);
        Assert.False(exporter.EnableLiveMetrics);
    }

    [Fact]
    public void AddIncidentFunctions_InstrumentationKeyOnly_ExportsWithoutACredential()
    {
        using var host = Build(new() { [AppSettingNames.ApplicationInsightsConnectionString] = ConnectionString });

        var exporter = host.Services.GetRequiredService<IOptionsMonitor<Azure.Monitor.OpenTelemetry.Exporter.AzureMonitorExporterOptions>>().Get(Options.DefaultName);

        Assert.Equal(new TelemetryExport(true, "instrumentation-key"), host.Services.GetRequiredService<TelemetryExport>());
        Assert.Null(exporter.Credential);
    }

    [Fact]
    public void StartAsync_TelemetryNamesAnotherIdentityThanStorage_FailsNamingBothSettings()
    {
        using var host = Build(new()
        {
            [AppSettingNames.ApplicationInsightsConnectionString] = ConnectionString,
            [AppSettingNames.ApplicationInsightsAuthenticationString] = "ClientId=3f2504e0-4f89-11d3-9a0c-0305e82c3301;Authorization=AAD",
            ["Storage:ManagedIdentityClientId"] = "11111111-1111-1111-1111-111111111111",
        });

        var error = Assert.IsType<OptionsValidationException>(Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate()));

        Assert.Contains(AppSettingNames.ApplicationInsightsAuthenticationString, error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage__ManagedIdentityClientId", error.Message, StringComparison.Ordinal);
        Assert.Contains("11111111-1111-1111-1111-111111111111", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartAsync_TelemetryAndStorageNameTheSameIdentityInAnotherCase_Starts()
    {
        using var host = Build(new()
        {
            [AppSettingNames.ApplicationInsightsConnectionString] = ConnectionString,
            [AppSettingNames.ApplicationInsightsAuthenticationString] = "ClientId=3F2504E0-4F89-11D3-9A0C-0305E82C3301;Authorization=AAD",
            [AppSettingNames.AzureClientId] = "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        });

        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("Authorization=AAD", true, null)]
    [InlineData("ClientId=3f2504e0-4f89-11d3-9a0c-0305e82c3301;Authorization=AAD", true, "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData(" authorization = aad ; clientid = 3f2504e0-4f89-11d3-9a0c-0305e82c3301 ", true, "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("", false, null)]
    public void TelemetryAuthentication_ValidStrings_Parse(string value, bool entra, string? clientId)
    {
        var parsed = TelemetryAuthentication.TryParse(value, out var error);

        Assert.Null(error);
        Assert.Equal(new TelemetryAuthentication(entra, clientId), parsed);
    }

    [Theory]
    [InlineData(AppSettingNames.ApplicationInsightsAuthenticationString, "ClientId=abc;Authorization=AAD", "is not a GUID")]
    [InlineData(AppSettingNames.ApplicationInsightsAuthenticationString, "Authorization=Key", "must contain 'Authorization=AAD'")]
    [InlineData(AppSettingNames.ApplicationInsightsAuthenticationString, "Authorization=AAD;Secret=1", "unknown key 'Secret'")]
    [InlineData(AppSettingNames.ApplicationInsightsConnectionString, "IngestionEndpoint=https://x.invalid/", "has no 'InstrumentationKey=<guid>'")]
    public async Task StartAsync_BadTelemetrySetting_FailsNamingIt(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [AppSettingNames.ApplicationInsightsConnectionString] = ConnectionString, [key] = value };
        using var host = Build(settings);

        var error = Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.True(error is OptionsValidationException, error?.ToString());
        var validation = (OptionsValidationException)error!;
        Assert.Contains(key, validation.Message, StringComparison.Ordinal);
        Assert.Contains(expected, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartAsync_AuthenticationWithoutConnectionString_FailsNamingBoth()
    {
        using var host = Build(new() { [AppSettingNames.ApplicationInsightsAuthenticationString] = "Authorization=AAD" });

        var error = Assert.IsType<OptionsValidationException>(Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate()));

        Assert.Contains($"{AppSettingNames.ApplicationInsightsConnectionString} is empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/FAKE-NOT-A-SECRET", "https://hooks.slack.com/")]
    [InlineData("https://download.example/geo.mmdb?license_key=SECRET", "https://download.example/")]
    [InlineData("http://127.0.0.1:8080/v1/objects/attack", "http://127.0.0.1:8080/")]
    public void TelemetryUrls_Redact_KeepsOnlyTheOrigin(string url, string expected)
        => Assert.Equal(expected, TelemetryUrls.Redact(new Uri(url)));

    [Fact]
    public void UnresolvedKeyVaultReference_FailsStartNamingTheSetting()
    {
        using var host = Build(new() { ["Wallarm:ApiToken"] = "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/wallarm-api-token)" });

        var error = Assert.IsType<OptionsValidationException>(Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate()));

        Assert.Contains("App setting 'Wallarm__ApiToken' is still a Key Vault reference", error.Message, StringComparison.Ordinal);
    }
}
