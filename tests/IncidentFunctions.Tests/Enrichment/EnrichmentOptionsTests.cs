using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Unit)]
public sealed class EnrichmentOptionsTests
{
    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Wallarm:ApiToken"] = "FAKE-token",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        });
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        return error.Message;
    }

    [Theory]
    [InlineData("REFRESH_INTEL_SCHEDULE", "*/5 * * * *", "REFRESH_INTEL_SCHEDULE")]
    [InlineData("Enrichment:CacheTtl", "00:00:00", "Enrichment:CacheTtl")]
    [InlineData("Enrichment:StaleAfter", "00:00:00", "Enrichment:StaleAfter must be a whole number of days, at least one")]
    [InlineData("Enrichment:StaleAfter", "30.12:00:00", "Enrichment:StaleAfter must be a whole number of days, at least one")]
    [InlineData("Enrichment:MaxShrink", "1.5", "Enrichment:MaxShrink (app setting Enrichment__MaxShrink) must be between 0 and 1")]
    [InlineData("Enrichment:MaxShrink", "NaN", "Enrichment:MaxShrink (app setting Enrichment__MaxShrink) must be between 0 and 1")]
    [InlineData("Enrichment:DownloadRetries", "11", "Enrichment:DownloadRetries (app setting Enrichment__DownloadRetries) must be between 0 and 10")]
    [InlineData("Enrichment:SnapshotContainer", "Intel_Snapshots", "Enrichment:SnapshotContainer")]
    [InlineData("Enrichment:SimulatorFeeds", "ftp://example.com/", "Enrichment:SimulatorFeeds")]
    public async Task StartAsync_BadSetting_FailsNamingIt(string key, string value, string named)
    {
        var message = await StartFailureAsync(new Dictionary<string, string?> { [key] = value });

        Assert.Contains(named, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BadSources_FailNamingEachSetting()
    {
        var message = await StartFailureAsync(new Dictionary<string, string?>
        {
            ["Enrichment:Sources:0:Name"] = "Has Spaces",
            ["Enrichment:Sources:0:Type"] = "IpList",
            ["Enrichment:Sources:0:Url"] = "https://example.com/a.netset",
            ["Enrichment:Sources:1:Name"] = "both",
            ["Enrichment:Sources:1:Type"] = "IpList",
            ["Enrichment:Sources:1:Url"] = "https://example.com/b.netset",
            ["Enrichment:Sources:1:Path"] = "b.netset",
            ["Enrichment:Sources:2:Name"] = "missing-file",
            ["Enrichment:Sources:2:Type"] = "Mmdb",
            ["Enrichment:Sources:2:Path"] = "/nonexistent/GeoLite2-City.mmdb",
            ["Enrichment:Sources:3:Name"] = "both",
            ["Enrichment:Sources:3:Type"] = "IpList",
            ["Enrichment:Sources:3:Url"] = "file:///etc/passwd",
        });

        Assert.Contains("Enrichment:Sources:0:Name", message, StringComparison.Ordinal);
        Assert.Contains("Enrichment:Sources:1:Url", message, StringComparison.Ordinal);
        Assert.Contains("Enrichment:Sources:2:Path", message, StringComparison.Ordinal);
        Assert.Contains("npm ci", message, StringComparison.Ordinal);
        Assert.Contains("Enrichment:Sources:3:Name 'both' is used by another source", message, StringComparison.Ordinal);
        Assert.Contains("Enrichment:Sources:3:Url must be an absolute http(s) URL", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Effective_ConfiguredSimulatorAndDefaults_ConfiguredFirstAndNamesUnique()
    {
        var options = new EnrichmentOptions
        {
            SimulatorFeeds = new Uri("http://127.0.0.1:5080"),
            Sources = [new IntelSourceOptions { Name = "aws", Type = IncidentFunctions.Enrichment.Intel.IntelSourceType.AwsIpRanges, Url = new Uri("https://ip-ranges.amazonaws.com/ip-ranges.json") }],
        };

        var sources = IntelSourcePresets.Effective(options);

        Assert.Equal("https://ip-ranges.amazonaws.com/ip-ranges.json", sources[0].Url?.AbsoluteUri);
        Assert.Single(sources, s => s.Name == "aws");
        Assert.Equal(sources.Count, sources.Select(s => s.Name).Distinct().Count());
        Assert.Contains(sources, s => s.Name == "ip-location-db-country" && s.Optional);
        Assert.Equal("http://127.0.0.1:5080/intel/tor/exit-addresses", sources.Single(s => s.Name == "tor-exit-addresses").Url?.AbsoluteUri);
    }

    [Fact]
    public void Effective_PublicFeeds_ReplaceTheNpmFilesByNameAndNeedNoFile()
    {
        var sources = IntelSourcePresets.Effective(new EnrichmentOptions { UsePublicFeeds = true });

        Assert.Equal(sources.Count, sources.Select(s => s.Name).Distinct().Count());
        Assert.All(sources, s => Assert.Equal(Uri.UriSchemeHttps, s.Url!.Scheme));
        Assert.StartsWith("https://cdn.jsdelivr.net/", sources.Single(s => s.Name == "ip-location-db-country").Url?.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains(sources, s => s.Type == IncidentFunctions.Enrichment.Intel.IntelSourceType.TorExitAddresses);
    }

    [Fact]
    public void Effective_DefaultsOff_LeavesOnlyConfiguredSources()
    {
        var sources = IntelSourcePresets.Effective(new EnrichmentOptions { UseDefaultSources = false });

        Assert.Empty(sources);
    }
}
