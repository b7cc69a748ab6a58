using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;
using IncidentFunctions.AppModel;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace IncidentFunctions.Reports;

/// <summary>The logo a report's first page shows, and which version of the stored file it is.</summary>
/// <param name="Image">Decoded and scaled to at most <see cref="ReportLogo.MaxPixelHeight"/> pixels high; shared by renders (never disposed while in use).</param>
public sealed record LogoImage(SKImage Image, string Version);

/// <summary>
/// The company logo from <see cref="ReportOptions.LogoBlob"/> in the reports container (PNG, JPEG, GIF, BMP or WebP,
/// at most <see cref="MaxBytes"/>). It is read again at most once per <see cref="ReportOptions.CacheRevalidateAfter"/>
/// (a conditional read: unchanged costs one small request). A logo that is missing, too large or not an image is a
/// report without a logo, never a failed report; what was wrong is logged once per version of the file.
/// </summary>
public sealed class ReportLogo(StorageClients storage, IOptions<ReportOptions> options, TimeProvider time, ILogger<ReportLogo> logger) : IDisposable
{
    /// <summary>The largest logo file read.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The largest side a logo may have before it is scaled.</summary>
    public const int MaxPixelSide = 4096;

    /// <summary>The most pixels a logo may have before it is scaled: decoded, 16 MB, beside a report on a 512 MB instance.</summary>
    public const int MaxPixels = 4 * 1024 * 1024;

    /// <summary>Pixels kept in height: a logo drawn 36 points high stays sharp in print (over 400 dpi) and small in each PDF.</summary>
    public const int MaxPixelHeight = 200;

    /// <summary>Stands for an empty file, which has no range to read.</summary>
    private static readonly ETag EmptyFile = new("empty");

    private readonly SemaphoreSlim _reading = new(1, 1);
    private Known? _known;

    /// <summary>What the settings fingerprint of a report includes: the stored file's version, or "none".</summary>
    public static string VersionOf(LogoImage? logo) => logo?.Version ?? "none";

    /// <summary>The current logo, or null when none is configured, stored or usable.</summary>
    public async Task<LogoImage?> GetAsync(CancellationToken cancellationToken = default)
    {
        var blobName = options.Value.LogoBlob;
        if (string.IsNullOrEmpty(blobName)) return null;
        if (_known is { } fresh && time.GetElapsedTime(fresh.CheckedAt) < options.Value.CacheRevalidateAfter) return fresh.Logo;
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_known is { } again && time.GetElapsedTime(again.CheckedAt) < options.Value.CacheRevalidateAfter) return again.Logo;
            _known = await ReadAsync(blobName, _known, cancellationToken).ConfigureAwait(false);
            return _known.Logo;
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();

    private async Task<Known> ReadAsync(string blobName, Known? known, CancellationToken cancellationToken)
    {
        var checkedAt = time.GetTimestamp();
        Response<BlobDownloadResult> response;
        try
        {
            var container = await storage.GetContainerAsync(storage.Options.ReportsContainer, cancellationToken).ConfigureAwait(false);
            response = await container.GetBlobClient(blobName).DownloadContentAsync(
                new BlobDownloadOptions
                {
                    Range = new HttpRange(0, MaxBytes + 1), // one byte more tells a file over the limit
                    Conditions = known?.ETag is { } previous && previous != EmptyFile ? new BlobRequestConditions { IfNoneMatch = previous } : null,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new Known(null, null, checkedAt);
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            // No range of an empty file exists.
            if (known?.ETag != EmptyFile) ReportsLog.LogoRefused(logger, blobName, "it is empty");
            return new Known(null, EmptyFile, checkedAt);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex))
        {
            // Storage trouble (a refusal, or no connection after the SDK's retries): keep what was known (a report goes on without a logo rather than failing).
            ReportsLog.LogoUnreadable(logger, blobName, FailureText.Describe(ex));
            return (known ?? new Known(null, null, checkedAt)) with { CheckedAt = checkedAt };
        }

        if (response.GetRawResponse().Status == 304) return known! with { CheckedAt = checkedAt }; // unchanged since read (no body)
        var download = response.Value;
        var etag = download.Details.ETag;
        var length = download.Details.ContentRange is { } range && range.LastIndexOf('/') is var slash and > 0 && long.TryParse(range.AsSpan(slash + 1), out var total)
            ? total
            : download.Content.ToMemory().Length;
        var image = Decode(download.Content, length, out var problem);
        if (image is null)
        {
            ReportsLog.LogoRefused(logger, blobName, problem!);
            return new Known(null, etag, checkedAt);
        }

        return new Known(new LogoImage(image, etag.ToString()), etag, checkedAt);
    }

    /// <summary>The image scaled to at most <see cref="MaxPixelHeight"/> pixels high, or null and why not.</summary>
    private static SKImage? Decode(BinaryData content, long length, out string? problem)
    {
        problem = null;
        if (length > MaxBytes)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"it is {length:N0} bytes, more than {MaxBytes:N0}");
            return null;
        }

        using var data = SKData.CreateCopy(content.ToMemory().Span);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            problem = "it is not a PNG, JPEG, GIF, BMP or WebP image";
            return null;
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || width > MaxPixelSide || height > MaxPixelSide || (long)width * height > MaxPixels)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"it is {width}×{height} pixels; each side must be 1 to {MaxPixelSide:N0} and the whole at most {MaxPixels:N0} pixels (2048×2048)");
            return null;
        }

        using var bitmap = SKBitmap.Decode(codec, new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (bitmap is null)
        {
            problem = "its pixels could not be decoded";
            return null;
        }

        var scale = Math.Min(1f, MaxPixelHeight / (float)height);
        var size = new SKImageInfo(Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)), SKColorType.Rgba8888, SKAlphaType.Premul);
        using var scaled = scale < 1f ? bitmap.Resize(size, new SKSamplingOptions(SKCubicResampler.Mitchell)) : null;
        using var pixels = (scaled ?? bitmap).PeekPixels();
        return SKImage.FromPixelCopy(pixels); // owns its pixels: renders on other threads draw it after the bitmaps are gone
    }

    private sealed record Known(LogoImage? Logo, ETag? ETag, long CheckedAt);
}
