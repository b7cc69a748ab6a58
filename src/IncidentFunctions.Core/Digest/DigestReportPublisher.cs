using IncidentFunctions.Channels;
using IncidentFunctions.Reports;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>
/// The digest's one dependency on the report feature: generate (or reuse) and store the PDF of a day through
/// <see cref="DailyReportService.PublishAsync"/>, and get its SHA-256 and a signed link valid for
/// <see cref="DigestOptions.LinkValidity"/>.
/// </summary>
public sealed class DigestReportPublisher(DailyReportService reports, IOptions<DigestOptions> options)
{
    public async Task<ReportLink> PublishAsync(LocalDate day, CancellationToken cancellationToken = default)
    {
        var shared = await reports.PublishAsync(day, options.Value.LinkValidity, cancellationToken).ConfigureAwait(false);
        // Checked at start-up (DigestReportSettingsValidator); a chat message cannot carry a relative link.
        var url = shared.Url ?? throw new InvalidOperationException("The digest needs absolute report links: set 'Reports__PublicBaseUrl' to the API's public address, e.g. 'https://func-x.azurewebsites.net/api/'.");
        return new ReportLink(url, shared.ExpiresAt, shared.File.Sha256, shared.File.Length, shared.File.Pages);
    }
}
