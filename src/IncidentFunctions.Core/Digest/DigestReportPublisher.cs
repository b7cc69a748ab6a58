using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>
/// The digest's one dependency on the report feature: generate (or reuse) and store the PDF of a day and get its
/// SHA-256 and a signed link valid for <see cref="DigestOptions.LinkValidity"/>.
/// </summary>
public sealed class DigestReportPublisher(IServiceProvider services, IOptions<DigestOptions> options)
{
    public async Task<ReportLink> PublishAsync(LocalDate day, CancellationToken cancellationToken = default)
    {
        _ = services;
        _ = options;
        _ = day;
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException("The daily report service (issue 4) has not landed on this branch yet.");
    }
}
