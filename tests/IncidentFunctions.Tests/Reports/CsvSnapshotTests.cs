using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using nietras.SeparatedValues;
using NodaTime;

using static IncidentFunctions.Tests.Reports.CsvSnapshotTenant;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// The CSV export's per-day snapshots against real Azurite: served while the day's change mark, the catalogue and the
/// format are what they were, re-read from the table as soon as one changes, byte-identical either way.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class CsvSnapshotTests(AzuriteFixture azurite)
{
    private static readonly LocalDate Yesterday = new(2026, 11, 24);
    private static readonly LocalDate Today = new(2026, 11, 25);

    private readonly CsvSnapshotTenant _snapshots = new(azurite);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<Dictionary<string, string>> Parse(byte[] body)
    {
        using var reader = CsvReading.Reader().From(new StreamReader(new MemoryStream(body), new UTF8Encoding(false, throwOnInvalidBytes: true)));
        Assert.Equal(IncidentCsv.Columns, reader.Header.ColNames);
        return CsvReading.Records(reader);
    }

    [Fact]
    public async Task Daily_SecondExportOfCompleteDay_IsServedFromTheSnapshotByteIdentical()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);

        var cold = await ExportDayAsync(app, Yesterday);
        var blob = await _snapshots.SnapshotBlobAsync(app, Yesterday);
        BlobProperties properties = await blob.GetPropertiesAsync(cancellationToken: Ct);
        Assert.Equal("3", properties.Metadata["rows"]);
        Assert.Equal(cold.Length - Encoding.UTF8.GetByteCount(IncidentCsv.Header), properties.ContentLength); // records only, no header
        Assert.False(string.IsNullOrEmpty(properties.Metadata["daymark"]));

        // A row changed without a bump is not seen: the second export is the snapshot.
        var id = ReportCalendar.DayKey(Yesterday) + ":0";
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 999);
        var warm = await ExportDayAsync(app, Yesterday);
        Assert.Equal(cold, warm);
        Assert.Equal("5", HitsOf(warm, id));

        // Bumping the day's mark makes the next export read the table.
        await app.Get<DayChangeMarks>().BumpAsync(_snapshots.Id, [Yesterday], Ct);
        Assert.Equal("999", HitsOf(await ExportDayAsync(app, Yesterday), id));
    }

    [Fact]
    public async Task Daily_IngestUpsertOfTheDay_MakesTheNextExportReadTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var id = ReportCalendar.DayKey(Yesterday) + ":1";
        await ExportDayAsync(app, Yesterday);

        await app.Get<IncidentStore>().UpsertAsync([_snapshots.Incident(id, At(Yesterday, 2), hits: 77, ip: "203.0.113.11")], Now, Ct);

        Assert.Equal("77", HitsOf(await ExportDayAsync(app, Yesterday), id));
    }

    [Fact]
    public async Task Daily_EnrichmentWriteOfTheDay_MakesTheNextExportReadTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var first = Parse(await ExportDayAsync(app, Yesterday));
        Assert.All(first, r => Assert.Equal("", r["country_name"]));

        await app.Get<SourceProfileStore>().UpsertAsync(_snapshots.Id, Yesterday, [new SourceProfile { Ip = "203.0.113.10", CountryCode = "NL", CountryName = "Netherlands" }], [], Ct);

        var record = Parse(await ExportDayAsync(app, Yesterday)).Single(r => r["top_ip"] == "203.0.113.10");
        Assert.Equal("Netherlands", record["country_name"]);
    }

    [Fact]
    public async Task Daily_SecurityIssueTitleChange_MakesTheNextExportReadTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var storage = app.Get<StorageClients>();
        var vulnerabilities = await storage.GetTableAsync(storage.Options.VulnerabilitiesTable, Ct);
        VulnerabilityEntity Issue(string title) => new()
        {
            PartitionKey = _snapshots.Id.ToString(CultureInfo.InvariantCulture),
            RowKey = VulnerabilityEntity.RowKeyFor(11),
            VulnerabilityId = 11,
            Found = true,
            Title = title,
            FetchedAt = Now,
        };
        await vulnerabilities.UpsertEntityAsync(Issue("SQL injection in orders"), TableUpdateMode.Replace, Ct);
        Assert.All(Parse(await ExportDayAsync(app, Yesterday)), r => Assert.Equal("SQL injection in orders", r["vulnerability_title"]));

        // What VulnerabilityCatalog writes when Wallarm renames the issue (a refresh that changes nothing keeps the snapshot).
        await vulnerabilities.UpsertEntityAsync(Issue("SQL injection in orders (fixed)"), TableUpdateMode.Replace, Ct);

        Assert.All(Parse(await ExportDayAsync(app, Yesterday)), r => Assert.Equal("SQL injection in orders (fixed)", r["vulnerability_title"]));
    }

    [Fact]
    public async Task Daily_WriteAfterTheExporterReadTheMark_MakesTheNextExportReadTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var export = app.Get<IncidentCsvExport>();
        var scope = await export.PrepareAsync(ReportPeriod.Day(Yesterday), Ct); // the mark is read here

        // A write lands between the mark's read and the rows' read: the export sees it, its snapshot carries the old mark.
        var late = ReportCalendar.DayKey(Yesterday) + ":late";
        await app.Get<IncidentStore>().UpsertAsync([_snapshots.Incident(late, At(Yesterday, 20))], Now, Ct);
        var pipe = new MemoryStream();
        var writer = System.IO.Pipelines.PipeWriter.Create(pipe);
        Assert.Equal(4, await export.WriteAsync(writer, scope, Ct));
        await writer.CompleteAsync();
        Assert.True(await (await _snapshots.SnapshotBlobAsync(app, Yesterday)).ExistsAsync(Ct));

        // A later change without a bump shows: the snapshot (with the mark read before the write) is not served.
        var id = ReportCalendar.DayKey(Yesterday) + ":2";
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 4242);
        var next = await ExportDayAsync(app, Yesterday);
        Assert.Equal("4242", HitsOf(next, id));
        Assert.Contains(Parse(next), r => r["incident_id"] == late);
    }

    [Fact]
    public async Task Daily_Today_IsNeverSnapshotted()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Today);
        var id = ReportCalendar.DayKey(Today) + ":0";

        await ExportDayAsync(app, Today);
        await _snapshots.SetHitsWithoutBumpAsync(app, Today, id, 31);
        var second = await ExportDayAsync(app, Today);

        Assert.Equal("31", HitsOf(second, id));
        Assert.False(await (await _snapshots.SnapshotBlobAsync(app, Today)).ExistsAsync(Ct));
    }

    [Fact]
    public async Task Daily_SnapshotShorterThanItsMetadataSays_FallsBackToTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var cold = await ExportDayAsync(app, Yesterday);
        var blob = await _snapshots.SnapshotBlobAsync(app, Yesterday);
        BlobProperties properties = await blob.GetPropertiesAsync(cancellationToken: Ct);

        // Same tag, cut content: not served.
        await blob.UploadAsync(new BinaryData("truncated"u8.ToArray()), new BlobUploadOptions { Metadata = properties.Metadata }, Ct);

        Assert.Equal(cold, await ExportDayAsync(app, Yesterday));
        BlobProperties rewritten = await blob.GetPropertiesAsync(cancellationToken: Ct);
        Assert.Equal(properties.ContentLength, rewritten.ContentLength);
    }

    [Fact]
    public async Task Daily_SnapshotWithUnreadableMetadataOrMissing_FallsBackToTheTable()
    {
        await using var app = await _snapshots.StartAsync();
        await _snapshots.SeedAsync(app, Yesterday);
        var cold = await ExportDayAsync(app, Yesterday);
        var blob = await _snapshots.SnapshotBlobAsync(app, Yesterday);
        BlobProperties properties = await blob.GetPropertiesAsync(cancellationToken: Ct);
        var id = ReportCalendar.DayKey(Yesterday) + ":0";

        var bad = new Dictionary<string, string>(properties.Metadata) { ["rows"] = "many" };
        BlobDownloadResult content = await blob.DownloadContentAsync(Ct);
        await blob.UploadAsync(content.Content, new BlobUploadOptions { Metadata = bad }, Ct);
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 8);
        Assert.Equal("8", HitsOf(await ExportDayAsync(app, Yesterday), id));

        await blob.DeleteAsync(cancellationToken: Ct);
        await _snapshots.SetHitsWithoutBumpAsync(app, Yesterday, id, 5);
        Assert.Equal(cold, await ExportDayAsync(app, Yesterday));
        Assert.True(await blob.ExistsAsync(Ct));
    }

    [Fact]
    public async Task Daily_SnapshotWriteFails_TheExportIsStillComplete()
    {
        await using var app = await _snapshots.StartAsync();
        // More than one snapshot block (4 MiB): the first block is staged while the day is still being sent.
        const int count = 1_200;
        var longPath = "/" + new string('p', 3_999);
        await app.Get<IncidentStore>().UpsertAsync(
            Enumerable.Range(0, count).Select(i => _snapshots.Incident(string.Create(CultureInfo.InvariantCulture, $"big:{i:D4}"), At(Yesterday, 1), path: longPath)).ToList(), Now, Ct);
        var blob = await _snapshots.SnapshotBlobAsync(app, Yesterday);
        await blob.UploadAsync(new BinaryData([]), cancellationToken: Ct);
        var lease = blob.GetBlobLeaseClient();
        await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: Ct); // the blob cannot be written without the lease id

        var body = await ExportDayAsync(app, Yesterday);

        Assert.True(body.Length > CsvSnapshotStore.BlockSize, $"{body.Length} bytes");
        Assert.Equal(count, Parse(body).Count);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Name == "CsvSnapshotNotSaved");
        BlobProperties properties = await blob.GetPropertiesAsync(cancellationToken: Ct);
        Assert.False(properties.Metadata.ContainsKey("daymark"));
        await lease.ReleaseAsync(cancellationToken: Ct);
        Assert.Equal(body, await ExportDayAsync(app, Yesterday));
    }

    [Fact]
    public async Task Weekly_MixOfSnapshotAndTableDays_IsTheHeaderOnceAndTheDaysInOrderByteIdentical()
    {
        await using var app = await _snapshots.StartAsync();
        var monday = new LocalDate(2026, 11, 16);
        var week = Enumerable.Range(0, 7).Select(monday.PlusDays).ToList();
        foreach (var day in week.Where(d => d.DayOfWeek != IsoDayOfWeek.Wednesday)) await _snapshots.SeedAsync(app, day, count: 2); // Wednesday stays empty

        var cold = await ExportAsync(app, "weekly", "2026-W47");
        var tuesday = await _snapshots.SnapshotBlobAsync(app, week[1]);
        var friday = await _snapshots.SnapshotBlobAsync(app, week[4]);
        var monday0 = ReportCalendar.DayKey(monday) + ":0";
        ETag mondayETag = (await (await _snapshots.SnapshotBlobAsync(app, monday)).GetPropertiesAsync(cancellationToken: Ct)).Value.ETag;
        await tuesday.DeleteAsync(cancellationToken: Ct);
        await friday.DeleteAsync(cancellationToken: Ct);
        await _snapshots.SetHitsWithoutBumpAsync(app, monday, monday0, 600); // Monday comes from its snapshot

        var warm = await ExportAsync(app, "weekly", "2026-W47");

        Assert.Equal(cold, warm);
        var text = Encoding.UTF8.GetString(warm);
        Assert.StartsWith(IncidentCsv.Header, text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split(IncidentCsv.Header).Length - 1);
        var days = Parse(warm).Select(r => r["day"]).ToList();
        Assert.Equal(12, days.Count);
        Assert.Equal(days.Order(StringComparer.Ordinal), days);
        Assert.True(await tuesday.ExistsAsync(Ct));
        Assert.True(await friday.ExistsAsync(Ct));
        Assert.Equal(mondayETag, (await (await _snapshots.SnapshotBlobAsync(app, monday)).GetPropertiesAsync(cancellationToken: Ct)).Value.ETag);
        Assert.Equal(0, (await (await _snapshots.SnapshotBlobAsync(app, week[2])).GetPropertiesAsync(cancellationToken: Ct)).Value.ContentLength);
    }
}
