using IncidentFunctions.Enrichment;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Tests.Infrastructure;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment;

[Trait("Category", TestCategories.Integration)]
public sealed class IntelRefresherTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A harness whose only intel sources are the given ones, served by <paramref name="server"/>.</summary>
    private Task<AppHarness> StartAsync(IntelTestServer server, params (string Name, IntelSourceType Type, string Path)[] sources)
        => StartAsync(server, new Dictionary<string, string?>(), sources);

    private Task<AppHarness> StartAsync(IntelTestServer server, Dictionary<string, string?> settings, params (string Name, IntelSourceType Type, string Path)[] sources)
    {
        settings["Enrichment:UseDefaultSources"] = "false";
        settings["Enrichment:SimulatorFeeds"] = null;
        settings["Enrichment:SnapshotCheckInterval"] = "00:00:00";
        for (var i = 0; i < sources.Length; i++)
        {
            settings[$"Enrichment:Sources:{i}:Name"] = sources[i].Name;
            settings[$"Enrichment:Sources:{i}:Type"] = sources[i].Type.ToString();
            settings[$"Enrichment:Sources:{i}:Url"] = server.Url(sources[i].Path).AbsoluteUri;
            settings[$"Enrichment:Sources:{i}:Attribution"] = $"data by {sources[i].Name}";
        }

        return AppHarness.StartAsync(azurite, settings: settings);
    }

    private static readonly (string, IntelSourceType, string)[] AwsAndFirehol =
    [
        ("aws", IntelSourceType.AwsIpRanges, "aws/ip-ranges.json"),
        ("firehol_level1", IntelSourceType.IpList, "firehol/level1.netset"),
    ];

    private static async Task<IntelTestServer> ServerAsync()
    {
        var server = await IntelTestServer.StartAsync();
        server.Set("aws/ip-ranges.json", Sample("aws-ip-ranges.json"));
        server.Set("firehol/level1.netset", Sample("firehol_level1.netset"));
        return server;
    }

    [Fact]
    public async Task RunAsync_ListsUnchanged_SendsConditionalRequestsAndPublishesNothingNew()
    {
        await using var server = await ServerAsync();
        await using var app = await StartAsync(server, AwsAndFirehol);
        var refresher = app.Get<IntelRefresher>();

        var first = await refresher.RunAsync(Ct);
        app.Clock.Advance(TimeSpan.FromDays(1));
        var second = await refresher.RunAsync(Ct);

        Assert.True(first.Published);
        Assert.All(first.Sources, s => Assert.Equal(IntelFetchOutcome.Updated, s.Outcome));
        Assert.False(second.Published);
        Assert.Equal(first.Version, second.Version);
        Assert.All(second.Sources, s => Assert.Equal(IntelFetchOutcome.NotModified, s.Outcome));
        var requests = server.Requests.ToList();
        Assert.All(requests.Take(2), r => Assert.Equal("", r.IfNoneMatch));
        Assert.All(requests.Skip(2), r => Assert.StartsWith("\"", r.IfNoneMatch, StringComparison.Ordinal));
        Assert.All(requests.Skip(2), r => Assert.Equal(304, r.Status));
        Assert.Equal(first.Version, (await app.Get<IntelSnapshotStore>().GetLatestAsync(Ct))!.Version);
    }

    [Fact]
    public async Task RunAsync_TruncatedList_KeepsTheLastGoodCopyAndRecordsTheRefusal()
    {
        await using var server = await ServerAsync();
        await using var app = await StartAsync(server, AwsAndFirehol);
        var refresher = app.Get<IntelRefresher>();
        await refresher.RunAsync(Ct);

        server.Set("aws/ip-ranges.json", Sample("aws-ip-ranges-truncated.json"));
        server.Set("firehol/level1.netset", "45.148.10.0/24\n193.142.146.0/24\n5.188.10.179\n10.0.0.0/8\n1.2.3.4\n");
        app.Clock.Advance(TimeSpan.FromDays(1));
        var result = await refresher.RunAsync(Ct);

        var aws = result.Sources.Single(s => s.Name == "aws");
        Assert.Equal(IntelFetchOutcome.Refused, aws.Outcome);
        Assert.Contains("JSON", aws.Reason, StringComparison.Ordinal);
        Assert.Equal(IntelFetchOutcome.Updated, result.Sources.Single(s => s.Name == "firehol_level1").Outcome);
        var status = await app.Get<IntelSnapshotStore>().GetStatusAsync(Ct);
        Assert.Equal(IntelFetchOutcome.Refused, status!.Sources.Single(s => s.Name == "aws").Outcome);
        Assert.Equal(ManualClock.DefaultStart, status.Sources.Single(s => s.Name == "aws").LastGoodAt);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1323 && r.Message.Contains("aws", StringComparison.Ordinal));

        // The new snapshot carries the new firehol list and the old, good AWS ranges.
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);
        Assert.Equal(result.Version, index.Version);
        var match = index.Lookup(Ip("3.81.1.1"));
        Assert.Equal(new CloudValue("AWS", "us-east-1", "EC2"), index.CloudValues[match.Cloud].Value);
        Assert.Equal(ManualClock.DefaultStart, index.SourceInfo(index.CloudValues[match.Cloud].Source).FetchedAt);
        Assert.Equal(5, index.Snapshot.Sources.Single(s => s.Info.Name == "firehol_level1").Info.Entries);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("# no entries today\n", "no entries")]
    [InlineData("45.148.10.0/24\n", "shrank from 9 to 1")]
    public async Task RunAsync_EmptyOrShrunkenList_IsRefused(string body, string reason)
    {
        await using var server = await ServerAsync();
        await using var app = await StartAsync(server, AwsAndFirehol);
        var refresher = app.Get<IntelRefresher>();
        var first = await refresher.RunAsync(Ct);

        server.Set("firehol/level1.netset", body);
        var second = await refresher.RunAsync(Ct);

        var firehol = second.Sources.Single(s => s.Name == "firehol_level1");
        Assert.Equal(IntelFetchOutcome.Refused, firehol.Outcome);
        Assert.Contains(reason, firehol.Reason, StringComparison.Ordinal);
        Assert.Equal(9, firehol.LastGoodEntries);
        Assert.False(second.Published);
        Assert.Equal(first.Version, second.Version);
    }

    [Fact]
    public async Task RunAsync_ServerErrorOrMissingList_FailsThatSourceOnly()
    {
        await using var server = await ServerAsync();
        await using var app = await StartAsync(server, [.. AwsAndFirehol, ("tor", IntelSourceType.TorBulkExitList, "tor/missing")]);
        server.Set("firehol/level1.netset", "unavailable", status: 503);

        var result = await app.Get<IntelRefresher>().RunAsync(Ct);

        Assert.True(result.Published);
        Assert.Equal(IntelFetchOutcome.Updated, result.Sources.Single(s => s.Name == "aws").Outcome);
        Assert.Equal((IntelFetchOutcome.Failed, "HTTP 503 ServiceUnavailable"), (result.Sources.Single(s => s.Name == "firehol_level1").Outcome, result.Sources.Single(s => s.Name == "firehol_level1").Reason));
        Assert.Equal(IntelFetchOutcome.Failed, result.Sources.Single(s => s.Name == "tor").Outcome);
        var latest = await app.Get<IntelSnapshotStore>().GetLatestAsync(Ct);
        Assert.Equal(["aws"], latest!.Sources.Select(s => s.Name));
        Assert.Equal(["data by aws"], latest.Attributions);
    }

    [Fact]
    public async Task RunAsync_DownloadTooLargeOrForbidden_KeepsTheLastGoodCopiesAndSaysWhy()
    {
        await using var server = await ServerAsync();
        const int limit = 2048;
        await using var app = await StartAsync(server, new Dictionary<string, string?> { ["Enrichment:Sources:1:MaxBytes"] = "2048" }, AwsAndFirehol);
        var refresher = app.Get<IntelRefresher>();
        var first = await refresher.RunAsync(Ct);

        server.Set("firehol/level1.netset", string.Concat(Enumerable.Range(0, 200).Select(i => $"45.148.{i}.0/24\n")));
        server.Set("aws/ip-ranges.json", "<html><body>403 Forbidden</body></html>", status: 403);
        var second = await refresher.RunAsync(Ct);

        var firehol = second.Sources.Single(s => s.Name == "firehol_level1");
        Assert.Equal(IntelFetchOutcome.Refused, firehol.Outcome);
        Assert.Contains($"larger than its MaxBytes ({limit})", firehol.Reason, StringComparison.Ordinal);
        Assert.Equal(9, firehol.LastGoodEntries);
        var aws = second.Sources.Single(s => s.Name == "aws");
        Assert.Equal((IntelFetchOutcome.Failed, "HTTP 403 Forbidden"), (aws.Outcome, aws.Reason));
        Assert.Equal(first.Sources.Single(s => s.Name == "aws").LastGoodEntries, aws.LastGoodEntries);
        Assert.False(second.Published);
        Assert.Equal(first.Version, second.Version);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1323 && r.Message.Contains("firehol_level1", StringComparison.Ordinal));
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1324 && r.Message.Contains("aws", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_LocalFileLargerThanMaxBytes_IsRefusedUnread()
    {
        var file = Path.Combine(Path.GetTempPath(), $"asn-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, Sample("ip-location-db-asn.csv"), Ct);
        try
        {
            await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
            {
                ["Enrichment:UseDefaultSources"] = "false",
                ["Enrichment:SimulatorFeeds"] = null,
                ["Enrichment:Sources:0:Name"] = "asn",
                ["Enrichment:Sources:0:Type"] = "IpLocationDbCsv",
                ["Enrichment:Sources:0:Path"] = file,
                ["Enrichment:Sources:0:MaxBytes"] = "16",
            });

            var result = await app.Get<IntelRefresher>().RunAsync(Ct);

            var asn = Assert.Single(result.Sources);
            Assert.Equal(IntelFetchOutcome.Refused, asn.Outcome);
            Assert.Equal($"file is {new FileInfo(file).Length} bytes, more than its MaxBytes (16)", asn.Reason);
            Assert.Empty((await app.Get<IntelSnapshotStore>().GetLatestAsync(Ct))!.Sources);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task GetAsync_NewSnapshotPublished_SwapsToItWhileTheOldIndexStaysIntact()
    {
        await using var server = await ServerAsync();
        await using var app = await StartAsync(server, AwsAndFirehol);
        var provider = app.Get<IntelSnapshotProvider>();

        // No snapshot yet: the provider runs the refresh itself.
        var before = await provider.GetAsync(Ct);
        server.Set("aws/ip-ranges.json", System.Text.Encoding.UTF8.GetString(Sample("aws-ip-ranges.json")).Replace("\"us-east-1\"", "\"us-east-2\"", StringComparison.Ordinal));
        app.Clock.Advance(TimeSpan.FromHours(1));
        var refreshed = await app.Get<IntelRefresher>().RunAsync(Ct);
        var after = await provider.GetAsync(Ct);

        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1312);
        Assert.NotEqual(before.Version, after.Version);
        Assert.Equal(refreshed.Version, after.Version);
        Assert.Equal("us-east-1", before.CloudValues[before.Lookup(Ip("3.81.1.1")).Cloud].Value.Region);
        Assert.Equal("us-east-2", after.CloudValues[after.Lookup(Ip("3.81.1.1")).Cloud].Value.Region);
        Assert.Same(after, await provider.GetAsync(Ct));
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 1310 && r.Message.Contains(before.Version, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_TorListChanges_RemembersAddressesThatLeftTheList()
    {
        await using var server = await IntelTestServer.StartAsync();
        await using var app = await StartAsync(server, ("tor", IntelSourceType.TorBulkExitList, "tor"));
        server.Set("tor", "185.220.101.4\n185.220.101.5\n"u8.ToArray(), lastModified: app.Clock.GetUtcNow().AddMinutes(-30));
        var refresher = app.Get<IntelRefresher>();
        await refresher.RunAsync(Ct);

        app.Clock.Advance(TimeSpan.FromDays(1));
        server.Set("tor", "185.220.101.5\n185.220.101.6\n"u8.ToArray(), lastModified: app.Clock.GetUtcNow().AddMinutes(-30));
        await refresher.RunAsync(Ct);
        var index = await app.Get<IntelSnapshotProvider>().GetAsync(Ct);

        TorEntry Entry(string ip) => index.TorEntries[index.Lookup(Ip(ip)).Tor];
        Assert.False(Entry("185.220.101.4").Current);
        Assert.True(Entry("185.220.101.5").Current);
        Assert.True(Entry("185.220.101.6").Current);
        Assert.Equal(ManualClock.DefaultStart.AddMinutes(-30), Entry("185.220.101.5").FirstListed);
        Assert.Equal(ManualClock.DefaultStart.AddDays(1).AddMinutes(-30), Entry("185.220.101.6").FirstListed);
        Assert.Equal(ManualClock.DefaultStart, Entry("185.220.101.4").LastListed);
    }

    [Fact]
    public async Task RunAsync_LocalFileSources_AreReadOnceUntilTheyChangeAndMissingOptionalOnesAreSkipped()
    {
        var file = Path.Combine(Path.GetTempPath(), $"asn-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, Sample("ip-location-db-asn.csv"), Ct);
        try
        {
            await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
            {
                ["Enrichment:UseDefaultSources"] = "false",
                ["Enrichment:SimulatorFeeds"] = null,
                ["Enrichment:Sources:0:Name"] = "asn",
                ["Enrichment:Sources:0:Type"] = "IpLocationDbCsv",
                ["Enrichment:Sources:0:Path"] = file,
                ["Enrichment:Sources:1:Name"] = "not-installed",
                ["Enrichment:Sources:1:Type"] = "Mmdb",
                ["Enrichment:Sources:1:Path"] = "node_modules/@example/not-installed/data.mmdb",
                ["Enrichment:Sources:1:Optional"] = "true",
            });
            var refresher = app.Get<IntelRefresher>();

            var first = await refresher.RunAsync(Ct);
            var second = await refresher.RunAsync(Ct);
            await File.AppendAllTextAsync(file, "9.9.9.0,9.9.9.255,19281,Quad9\n", Ct);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
            var third = await refresher.RunAsync(Ct);

            Assert.Equal([IntelFetchOutcome.Updated, IntelFetchOutcome.Skipped], first.Sources.Select(s => s.Outcome));
            Assert.Equal(IntelFetchOutcome.NotModified, second.Sources[0].Outcome);
            Assert.Equal(IntelFetchOutcome.Updated, third.Sources[0].Outcome);
            Assert.Equal(7, third.Sources[0].LastGoodEntries);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MergeTorHistory_DropsAddressesOlderThanTheHistory()
    {
        var old = new TorListing(Ip("1.1.1.1"), Observed.AddDays(-40), Observed.AddDays(-31));
        var recent = new TorListing(Ip("2.2.2.2"), Observed.AddDays(-5), Observed.AddDays(-2));
        var fresh = new TorListing(Ip("2.2.2.2"), Observed, Observed);

        var merged = IntelRefresher.MergeTorHistory([fresh], [old, recent], Observed.AddDays(-30));

        var entry = Assert.Single(merged);
        Assert.Equal(new TorListing(Ip("2.2.2.2"), Observed.AddDays(-5), Observed, true), entry);
    }

    [Fact]
    public void SafeLocation_UrlWithLicenceKey_KeepsNoSecret()
    {
        var location = IntelRefresher.SafeLocation(new IntelSourceOptions
        {
            Url = new Uri("https://user:pass@download.maxmind.com/app/geoip_download?edition_id=GeoLite2-City&license_key=SECRET&suffix=tar.gz"),
        });

        Assert.Equal("https://download.maxmind.com/app/geoip_download", location);
    }
}
