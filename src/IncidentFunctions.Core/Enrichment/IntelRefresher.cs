using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment.Intel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace IncidentFunctions.Enrichment;

/// <summary>What a refresh produced: the current snapshot version, whether it is new, and each source's outcome.</summary>
public sealed record IntelRefreshResult(string Version, bool Published, IReadOnlyList<IntelSourceStatus> Sources);

/// <summary>
/// The <c>RefreshIntel</c> job. Fetches every configured source (conditional requests for URLs, size and time stamp for
/// files), validates what came back (parses, not empty, plausible size, not shrunk beyond <c>Enrichment:MaxShrink</c>
/// against the last good copy) and publishes a compiled, versioned snapshot. A source that fails or is refused keeps
/// its last good copy in the new snapshot; the refusal is logged and recorded in <c>status.json</c>.
/// </summary>
public sealed class IntelRefresher(
    IntelSnapshotStore store,
    IntelDownloader downloader,
    IOptions<EnrichmentOptions> options,
    TimeProvider time,
    ILogger<IntelRefresher> logger,
    IHostEnvironment? environment = null)
{
    private readonly EnrichmentOptions _options = options.Value;

    public async Task<IntelRefreshResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var sources = IntelSourcePresets.Effective(_options);
        var status = await store.GetStatusAsync(cancellationToken).ConfigureAwait(false) ?? new IntelStatus();
        var latest = await store.GetLatestAsync(cancellationToken).ConfigureAwait(false);
        IntelSnapshot? previous = null;
        if (latest is not null)
        {
            try
            {
                previous = await store.LoadAsync(latest, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                EnrichmentLog.PreviousUnreadable(logger, ex, latest.Version);
            }
        }

        EnrichmentLog.RefreshStarting(logger, sources.Count, latest?.Version ?? "none");
        var results = new (IntelSourceData? Data, IntelSourceStatus Status)[sources.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sources.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var source = sources[i];
            var last = previous?.Sources.FirstOrDefault(s => s.Info.Name == source.Name && s.Info.Type == source.Type);
            var lastStatus = status.Sources.FirstOrDefault(s => s.Name == source.Name);
            results[i] = await RefreshSourceAsync(source, last, lastStatus, now, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var included = results.Where(r => r.Data is not null).Select(r => r.Data!).ToList();
        var changed = previous is null
            || results.Any(r => r.Status.Outcome == IntelFetchOutcome.Updated)
            || !included.Select(s => s.Info.Name).SequenceEqual(previous.Sources.Select(s => s.Info.Name), StringComparer.Ordinal);
        var version = latest?.Version ?? IntelSnapshot.Empty(now).Version;
        if (changed)
        {
            var snapshot = new IntelSnapshot(VersionOf(now, included), now, included);
            var bytes = await store.PublishAsync(snapshot, cancellationToken).ConfigureAwait(false);
            version = snapshot.Version;
            EnrichmentLog.SnapshotPublished(logger, version, included.Count, bytes);
        }

        var statuses = results.Select(r => r.Status).ToList();
        await store.SaveStatusAsync(new IntelStatus { LastRunAt = now, CurrentVersion = version, Sources = statuses }, cancellationToken).ConfigureAwait(false);
        var updated = statuses.Count(s => s.Outcome == IntelFetchOutcome.Updated);
        var kept = statuses.Count(s => s.Outcome is IntelFetchOutcome.NotModified or IntelFetchOutcome.Unchanged);
        var refused = statuses.Count(s => s.Outcome == IntelFetchOutcome.Refused);
        var failed = statuses.Count(s => s.Outcome == IntelFetchOutcome.Failed);
        EnrichmentLog.RefreshFinished(logger, updated, kept, refused, failed, version);
        return new IntelRefreshResult(version, changed, statuses);
    }

    private async Task<(IntelSourceData? Data, IntelSourceStatus Status)> RefreshSourceAsync(
        IntelSourceOptions source, IntelSourceData? last, IntelSourceStatus? lastStatus, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var location = SafeLocation(source);
        var status = new IntelSourceStatus
        {
            Name = source.Name,
            Location = location,
            LastAttemptAt = now,
            LastGoodAt = last is null ? null : lastStatus?.LastGoodAt ?? last.Info.FetchedAt,
            LastGoodEntries = last?.Info.Entries ?? 0,
            LastGoodDatasetVersion = last?.Info.DatasetVersion,
            // Validators only mean something while the copy they describe is still held.
            ETag = last is null ? null : lastStatus?.ETag,
            LastModified = last is null ? null : lastStatus?.LastModified,
        };
        var kept = last is null ? "none held yet" : string.Create(CultureInfo.InvariantCulture, $"{last.Info.Entries} entries from {last.Info.FetchedAt:yyyy-MM-ddTHH:mm:ssZ}");

        (IntelSourceData?, IntelSourceStatus) Refuse(string reason)
        {
            EnrichmentLog.SourceRefused(logger, source.Name, reason, kept);
            return (last, status with { Outcome = IntelFetchOutcome.Refused, Reason = reason });
        }

        (IntelSourceData?, IntelSourceStatus) Fail(string reason)
        {
            EnrichmentLog.SourceFailed(logger, source.Name, reason, kept);
            return (last, status with { Outcome = IntelFetchOutcome.Failed, Reason = reason });
        }

        (IntelSourceData?, IntelSourceStatus) Keep(IntelFetchOutcome outcome, string? etag, DateTimeOffset? lastModified)
        {
            EnrichmentLog.SourceUnchanged(logger, source.Name, outcome, last!.Info.FetchedAt);
            return (last, status with { Outcome = outcome, ETag = etag ?? status.ETag, LastModified = lastModified ?? status.LastModified });
        }

        byte[] content;
        string? etag;
        DateTimeOffset? lastModified;
        string? packageVersion = null;
        if (source.Path is { } path)
        {
            var file = IntelPaths.Resolve(path, environment?.ContentRootPath);
            if (file is null)
            {
                if (!source.Optional) return Fail($"file '{path}' does not exist");
                EnrichmentLog.SourceSkipped(logger, source.Name, path);
                return (last, status with { Outcome = IntelFetchOutcome.Skipped, Reason = "optional file not installed" });
            }

            var info = new FileInfo(file);
            if (info.Length > source.MaxBytes) return Refuse($"file is {info.Length} bytes, more than its MaxBytes ({source.MaxBytes})");
            lastModified = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
            etag = string.Create(CultureInfo.InvariantCulture, $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"");
            if (last is not null && lastStatus?.ETag == etag) return Keep(IntelFetchOutcome.NotModified, etag, lastModified);
            content = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            packageVersion = NpmPackageVersion(file);
        }
        else
        {
            IntelDownload download;
            try
            {
                download = await downloader.GetAsync(source.Url!, status.ETag, status.LastModified, source.MaxBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or IOException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return Fail(FailureText.Of(ex));
            }

            if (download.NotModified && last is not null) return Keep(IntelFetchOutcome.NotModified, download.ETag, download.LastModified);
            if (download.TooLarge) return Refuse($"download is larger than its MaxBytes ({source.MaxBytes})");
            if (download.Content is null) return Fail(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)download.Status} {download.Status}"));
            content = download.Content;
            etag = download.ETag;
            lastModified = download.LastModified;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (last is not null && last.Info.ContentHash == hash) return Keep(IntelFetchOutcome.Unchanged, etag, lastModified);
        if (content.Length == 0) return Refuse("the download is empty");

        IntelSourceContent parsed;
        try
        {
            parsed = IntelParsers.Parse(source.Type, content, new IntelParseContext(now, source.Provider, source.Category, source.MaxBytes, source.Path is null ? lastModified : null));
        }
        catch (IntelFormatException ex)
        {
            return Refuse(ex.Message);
        }

        var entries = parsed.Entries;
        if (entries == 0) return Refuse("it holds no entries");
        if (entries < source.MinEntries) return Refuse($"it holds {entries} entries, fewer than its MinEntries ({source.MinEntries})");
        if (last is not null && entries < last.Info.Entries * (1 - _options.MaxShrink))
        {
            return Refuse(string.Create(CultureInfo.InvariantCulture, $"it shrank from {last.Info.Entries} to {entries} entries, more than Enrichment:MaxShrink ({_options.MaxShrink:0.##}) allows"));
        }

        if (parsed.Tor is not null) parsed.Tor = MergeTorHistory(parsed.Tor, last?.Content.Tor, now - _options.TorHistory);

        var sourceInfo = new IntelSourceInfo
        {
            Name = source.Name,
            Type = source.Type,
            Location = location,
            Category = source.Type is IntelSourceType.IpList or IntelSourceType.SpamhausDropJson ? source.Category : null,
            Provider = source.Provider,
            DatasetVersion = parsed.DatasetVersion ?? packageVersion ?? etag?.Trim('"'),
            DatasetDate = parsed.DatasetDate ?? PackageDate(packageVersion) ?? (source.Path is null ? lastModified : null) ?? now,
            FetchedAt = now,
            ETag = etag,
            LastModified = lastModified,
            Attribution = source.Attribution,
            License = source.License,
            Entries = entries,
            Bytes = content.Length,
            ContentHash = hash,
        };
        EnrichmentLog.SourceUpdated(logger, source.Name, entries, parsed.InvalidEntries, sourceInfo.DatasetVersion);
        return (new IntelSourceData(sourceInfo, parsed), status with
        {
            Outcome = IntelFetchOutcome.Updated,
            Reason = null,
            LastGoodAt = now,
            LastGoodEntries = entries,
            LastGoodDatasetVersion = sourceInfo.DatasetVersion,
            ETag = etag,
            LastModified = lastModified,
        });
    }

    /// <summary>
    /// The fresh list plus addresses earlier lists named within <c>Enrichment:TorHistory</c>: an incident from before a
    /// relay left the list is still judged against the list as it stood then. First listing times carry over.
    /// </summary>
    internal static List<TorListing> MergeTorHistory(List<TorListing> fresh, List<TorListing>? previous, DateTimeOffset keepSince)
    {
        if (previous is null or { Count: 0 }) return fresh;
        var byAddress = previous.Where(p => p.LastListed >= keepSince).ToDictionary(p => p.Address, p => p with { Current = false });
        foreach (var listing in fresh)
        {
            byAddress[listing.Address] = byAddress.TryGetValue(listing.Address, out var old)
                ? new TorListing(listing.Address, old.FirstListed < listing.FirstListed ? old.FirstListed : listing.FirstListed, old.LastListed > listing.LastListed ? old.LastListed : listing.LastListed, true)
                : listing;
        }

        return [.. byAddress.Values];
    }

    /// <summary>Where the data came from, without query strings or credentials (download URLs can carry licence keys).</summary>
    internal static string SafeLocation(IntelSourceOptions source)
        => source.Url is { } url ? new UriBuilder(url) { Query = "", UserName = "", Password = "", Fragment = "" }.Uri.AbsoluteUri : source.Path ?? "";

    private static string VersionOf(DateTimeOffset now, IReadOnlyList<IntelSourceData> sources)
    {
        var text = string.Join("\n", sources.Select(s => s.Info.Name + "=" + s.Info.ContentHash));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];
        return now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + hash;
    }

    /// <summary>For a file from an npm package (the offline defaults): <c>name@version</c> from the package.json beside it.</summary>
    private static string? NpmPackageVersion(string file)
    {
        var manifest = Path.Combine(Path.GetDirectoryName(file) ?? "", "package.json");
        if (!File.Exists(manifest)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
            return doc.RootElement.TryGetProperty("name", out var name) && doc.RootElement.TryGetProperty("version", out var version)
                ? $"{name.GetString()}@{version.GetString()}"
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>ip-location-db versions end in the build hour (2.3.2026061719 → 2026-06-17 19:00 UTC); npm itself resets file times.</summary>
    private static DateTimeOffset? PackageDate(string? packageVersion)
    {
        var last = packageVersion?.Split('.', '@').LastOrDefault();
        return last is { Length: 10 } && DateTimeOffset.TryParseExact(last, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
    }
}
