using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>A generated report as stored in Blob storage.</summary>
/// <param name="ETag">The HTTP entity tag (quoted), derived from the content's SHA-256.</param>
/// <param name="BlobETag">The blob's own ETag, used to download exactly the version described here.</param>
/// <param name="StaleAfter">When an incident labelled "ongoing" would no longer be; the file is regenerated after it.</param>
public sealed record ReportFile(
    long TenantId,
    LocalDate Day,
    string BlobName,
    Uri BlobUri,
    string ETag,
    ETag BlobETag,
    string Sha256,
    long Length,
    DateTimeOffset GeneratedAt,
    string Revision,
    int Pages,
    DateTimeOffset? StaleAfter,
    string? DownloadName = null)
{
    /// <summary>The download name: <c>incident-report-2026-11-20.pdf</c>, for a period e.g. <c>incident-report-2026-W47.pdf</c>.</summary>
    public string FileName => DownloadName ?? $"incident-report-{ReportCalendar.IsoDay(Day)}.pdf";

    /// <summary>The file's "ongoing" labels have run out: it is regenerated even when storage has not changed.</summary>
    public bool IsStaleAt(DateTimeOffset now) => StaleAfter is { } s && now >= s;
}

/// <summary>
/// Stores generated PDFs in the reports container (<c>daily/{tenant}/{yyyy}/{yyyy-MM-dd}.pdf</c>) with the storage
/// revision they were generated from, and computes the current revision of a day cheaply.
/// </summary>
/// <remarks>
/// The revision is made of the change marks (<see cref="DayChangeMarks"/>) of the days a report reads (the day and, for
/// the change column, the day before; a period's days and the previous period's), the row count and newest
/// <c>Timestamp</c> of each of its days' coverage partitions (a few dozen rows a day, written by ingestion only), and
/// the tenant's security-issue catalog, joined by the content the reports show (see <c>ProbeCatalogAsync</c>). Every
/// writer of incident and source rows (ingestion's writer, enrichment) replaces a day's mark after its write, and the
/// revision is read before the report reads the rows, so a write the report missed changes it (the protocol and its
/// limit are on <see cref="DayChangeMarks"/>; the CSV snapshots rely on the same marks). Until 2026-12-01 the revision
/// scanned the keys of every incident and source partition, one request per 1,000 rows: tens of milliseconds of a
/// 1,000-incident day's request on the benchmark machine, and over 50,000 keys for a day of 10,000 incidents. A day
/// without a mark yet (rows written before marks existed) gets one, so a later write still changes it.
/// </remarks>
public sealed class ReportCache(StorageClients storage, VulnerabilityCatalog catalog, DayChangeMarks marks)
{
    /// <summary>Bump when the layout changes, so cached files of the old layout are regenerated.</summary>
    public const string RendererVersion = "1";

    private const string RevisionKey = "revision";
    private const string ShaKey = "sha256";
    private const string GeneratedKey = "generatedat";
    private const string PagesKey = "pages";
    private const string StaleAfterKey = "staleafter";
    private readonly Lock _gate = new();
    private Task<BlobContainerClient>? _container;

    public static string BlobNameFor(long tenantId, LocalDate day)
        => string.Create(CultureInfo.InvariantCulture, $"daily/{tenantId}/{day.Year:D4}/{ReportCalendar.IsoDay(day)}.pdf");

    /// <summary>A week's or month's PDF: <c>weekly/{tenant}/{yyyy}/{yyyy-Www}.pdf</c>, <c>monthly/{tenant}/{yyyy}/{yyyy-MM}.pdf</c>.</summary>
    public static string BlobNameFor(long tenantId, ReportPeriod period)
        => string.Create(CultureInfo.InvariantCulture, $"{ReportPeriods.Segment(period.Kind)}/{tenantId}/{period.Key[..4]}/{period.Key}.pdf");

    /// <summary>The stored report of a day, or null when none is stored.</summary>
    public Task<ReportFile?> GetAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
        => GetAsync(tenantId, day, BlobNameFor(tenantId, day), null, cancellationToken);

    /// <summary>The stored report of a period (filed under its first day), or null when none is stored.</summary>
    public Task<ReportFile?> GetAsync(long tenantId, ReportPeriod period, CancellationToken cancellationToken = default)
        => GetAsync(tenantId, period.First, BlobNameFor(tenantId, period), DownloadNameFor(period), cancellationToken);

    internal static string DownloadNameFor(ReportPeriod period) => $"incident-report-{period.Key}.pdf";

    private async Task<ReportFile?> GetAsync(long tenantId, LocalDate day, string blobName, string? downloadName, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(blobName);
        try
        {
            BlobProperties props = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return FromMetadata(tenantId, day, blob, props.Metadata, props.ETag, props.ContentLength) is { } file ? file with { DownloadName = downloadName } : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public Task<ReportFile> PutAsync(long tenantId, LocalDate day, byte[] pdf, string revision, DateTimeOffset generatedAt, int pages, DateTimeOffset? staleAfter, CancellationToken cancellationToken = default)
        => PutAsync(tenantId, day, BlobNameFor(tenantId, day), null, pdf, revision, generatedAt, pages, staleAfter, cancellationToken);

    public Task<ReportFile> PutAsync(long tenantId, ReportPeriod period, byte[] pdf, string revision, DateTimeOffset generatedAt, int pages, DateTimeOffset? staleAfter, CancellationToken cancellationToken = default)
        => PutAsync(tenantId, period.First, BlobNameFor(tenantId, period), DownloadNameFor(period), pdf, revision, generatedAt, pages, staleAfter, cancellationToken);

    private async Task<ReportFile> PutAsync(long tenantId, LocalDate day, string blobName, string? downloadName, byte[] pdf, string revision, DateTimeOffset generatedAt, int pages, DateTimeOffset? staleAfter, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(blobName);
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var metadata = new Dictionary<string, string>
        {
            [RevisionKey] = revision,
            [ShaKey] = sha,
            [GeneratedKey] = generatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            [PagesKey] = pages.ToString(CultureInfo.InvariantCulture),
        };
        if (staleAfter is { } s) metadata[StaleAfterKey] = s.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var etag = await UploadAsync(blob, pdf, metadata, cancellationToken).ConfigureAwait(false);
        return FromMetadata(tenantId, day, blob, metadata, etag, pdf.LongLength)! with { DownloadName = downloadName };
    }

    /// <summary>
    /// For the start-up warm-up: stores and deletes a scratch file (<c>warm-up/{random}.pdf</c>, which nothing reads)
    /// through the calls <see cref="PutAsync(long, LocalDate, byte[], string, DateTimeOffset, int, DateTimeOffset?, CancellationToken)"/>
    /// makes, so an instance's first report does not compile the upload path (about 20 ms on the benchmark machine).
    /// </summary>
    internal async Task WarmUpUploadAsync(CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient($"warm-up/{Guid.NewGuid():N}.pdf");
        try
        {
            await UploadAsync(blob, "%PDF-1.7\n%%EOF\n"u8.ToArray(), new Dictionary<string, string> { [RevisionKey] = "warm-up" }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also when stopped mid-way: the upload may have landed.
            await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<ETag> UploadAsync(BlobClient blob, byte[] pdf, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var response = await blob.UploadAsync(new BinaryData(pdf), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/pdf" },
            Metadata = metadata,
        }, cancellationToken).ConfigureAwait(false);
        return response.Value.ETag;
    }

    /// <summary>Opens the content of exactly <paramref name="file"/>'s version; null when the blob changed since.</summary>
    public async Task<Stream?> OpenReadAsync(ReportFile file, CancellationToken cancellationToken = default)
    {
        var blob = (await ContainerAsync(cancellationToken).ConfigureAwait(false)).GetBlobClient(file.BlobName);
        try
        {
            var result = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = file.BlobETag } }, cancellationToken).ConfigureAwait(false);
            return result.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    /// <summary>The current storage revision of a report day, combined with what else shapes the PDF.</summary>
    public async Task<string> ComputeRevisionAsync(long tenantId, LocalDate day, string settingsFingerprint, CancellationToken cancellationToken = default)
    {
        LocalDate[] days = [day.PlusDays(-1), day];
        var dayMarks = marks.GetAsync(tenantId, days[0], day, days, cancellationToken);
        var coverage = ProbeAsync(storage.Options.CoverageTable, DayPartition.Key(tenantId, day), cancellationToken);
        var issues = ProbeCatalogAsync(tenantId, cancellationToken);
        await Task.WhenAll(dayMarks, coverage, issues).ConfigureAwait(false);
        var text = $"r{RendererVersion}|{settingsFingerprint}|{MarksOf(days, dayMarks.Result)}|{coverage.Result}|{issues.Result}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    /// <summary>
    /// The revision of a week or month: the marks of its days and the previous period's (one range query), each day's
    /// coverage probed as for a day, a few at a time, and the catalog.
    /// </summary>
    public async Task<string> ComputeRevisionAsync(long tenantId, ReportPeriod period, string settingsFingerprint, CancellationToken cancellationToken = default)
    {
        var previous = period.Previous();
        var days = previous.Days.Concat(period.Days).ToList();
        var periodMarks = marks.GetAsync(tenantId, days.Min(), days.Max(), days, cancellationToken);
        var issues = ProbeCatalogAsync(tenantId, cancellationToken);
        var periodDays = period.Days.ToList();
        var coverage = new string[periodDays.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, coverage.Length), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            coverage[i] = await ProbeAsync(storage.Options.CoverageTable, DayPartition.Key(tenantId, periodDays[i]), ct).ConfigureAwait(false)).ConfigureAwait(false);
        var text = $"r{RendererVersion}|{period.Key}|{settingsFingerprint}|{MarksOf(days, await periodMarks.ConfigureAwait(false))}|{string.Join('|', coverage)}|{await issues.ConfigureAwait(false)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    private static string MarksOf(IEnumerable<LocalDate> days, IReadOnlyDictionary<LocalDate, string> marks)
        => string.Join(',', days.Select(d => marks.GetValueOrDefault(d, "")));

    /// <summary>
    /// What the reports show of the tenant's security issues (<see cref="VulnerabilityCatalog.ShownContentTag"/>): a
    /// title fetched after a report was cached changes the revision; the catalogue's bookkeeping does not.
    /// </summary>
    private async Task<string> ProbeCatalogAsync(long tenantId, CancellationToken cancellationToken)
        => "catalog:" + VulnerabilityCatalog.ShownContentTag(await catalog.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false));

    private async Task<string> ProbeAsync(string tableName, string partitionKey, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(tableName, cancellationToken).ConfigureAwait(false);
        var count = 0;
        long newest = 0;
        var filter = TableKeys.PartitionFilter(partitionKey);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            count++;
            newest = Math.Max(newest, row.Timestamp?.UtcTicks ?? 0);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{count}:{newest}");
    }

    private Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        Task<BlobContainerClient> task;
        lock (_gate)
        {
            if (_container is null || _container.IsFaulted || _container.IsCanceled)
            {
                _container = CreateContainerAsync();
            }

            task = _container;
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<BlobContainerClient> CreateContainerAsync()
    {
        var container = storage.Blobs.GetBlobContainerClient(storage.Options.ReportsContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return container;
    }

    private static ReportFile? FromMetadata(long tenantId, LocalDate day, BlobClient blob, IDictionary<string, string> metadata, ETag blobETag, long length)
    {
        if (!metadata.TryGetValue(RevisionKey, out var revision) || !metadata.TryGetValue(ShaKey, out var sha) || sha.Length < 32
            || !metadata.TryGetValue(GeneratedKey, out var generated) || !long.TryParse(generated, CultureInfo.InvariantCulture, out var generatedMs))
        {
            return null; // written by something else or half-written: regenerate
        }

        DateTimeOffset? staleAfter = metadata.TryGetValue(StaleAfterKey, out var s) && long.TryParse(s, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        var pages = metadata.TryGetValue(PagesKey, out var p) && int.TryParse(p, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new ReportFile(tenantId, day, blob.Name, blob.Uri, $"\"{sha[..32]}\"", blobETag, sha, length, DateTimeOffset.FromUnixTimeMilliseconds(generatedMs), revision, pages, staleAfter);
    }
}
