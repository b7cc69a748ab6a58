using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

/// <summary>
/// Uploads <see cref="LocalRunnerOptions.LogoFile"/> as the reports' logo (<c>Reports:LogoBlob</c> in the reports
/// container) at start: a self-hosted runner's storage, such as the embedded Azurite, may have no other way in. A file
/// already uploaded is not uploaded again, so a restart does not redraw stored reports. Whether the file is a usable
/// image is <see cref="ReportLogo"/>'s to say (its warning names the reason).
/// </summary>
internal sealed class LogoUpload(IServiceProvider services, IOptions<LocalRunnerOptions> options, ILogger<LogoUpload> logger) : IHostedService
{
    private const string HashKey = "sha256";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.LogoFile)) return;
        var path = Path.GetFullPath(options.Value.LogoFile);
        var blobName = services.GetRequiredService<IOptions<ReportOptions>>().Value.LogoBlob;
        if (string.IsNullOrEmpty(blobName))
        {
            HostingLog.LogoOff(logger, path);
            return;
        }

        var content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var storage = services.GetRequiredService<StorageClients>();
        try
        {
            var container = await storage.GetContainerAsync(storage.Options.ReportsContainer, cancellationToken).ConfigureAwait(false);
            var blob = container.GetBlobClient(blobName);
            if (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)
                && (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Metadata.TryGetValue(HashKey, out var stored)
                && stored == hash)
            {
                return;
            }

            await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Metadata = new Dictionary<string, string> { [HashKey] = hash } }, cancellationToken).ConfigureAwait(false);
            HostingLog.LogoUploaded(logger, path, storage.Options.ReportsContainer, blobName, content.Length);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex))
        {
            // Reports go on with the logo stored before, if any.
            HostingLog.LogoUploadFailed(logger, ex, path, blobName);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
