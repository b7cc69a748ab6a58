using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Reports;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>
/// The digest's one dependency on the report feature: generate (or reuse) and store the PDF of a day
/// (<see cref="DailyReportService"/>) or of a week or month (<see cref="PeriodReportService"/>), and get its SHA-256 and
/// a signed link valid for <see cref="DigestOptions.LinkValidity"/>.
/// </summary>
public sealed class DigestReportPublisher(DailyReportService reports, PeriodReportService periodReports, ReportArchive archive, IOptions<ReportOptions> reportOptions, IOptions<DigestOptions> options)
{
    /// <summary>A signed link to the report archive page (<c>reports/shared/archive</c>), valid as long as the report link; null without a public base URL.</summary>
    public ArchiveLink? ArchiveLink()
    {
        if (reportOptions.Value.PublicBaseUrl is null) return null;
        var (pathAndQuery, expiresAt) = archive.SharedLink(options.Value.LinkValidity);
        return new ArchiveLink(reportOptions.Value.PublicLink(pathAndQuery)!, expiresAt);
    }

    public Task<PublishedReport> PublishAsync(LocalDate day, CancellationToken cancellationToken = default) => PublishAsync(ReportPeriod.Day(day), cancellationToken);

    public async Task<PublishedReport> PublishAsync(ReportPeriod period, CancellationToken cancellationToken = default)
    {
        SharedReport shared;
        DailyReport? dayModel = null;
        PeriodReport? periodModel = null;
        if (period.Kind == PeriodKind.Day) (shared, dayModel) = await reports.PublishWithModelAsync(period.First, options.Value.LinkValidity, cancellationToken).ConfigureAwait(false);
        else (shared, periodModel) = await periodReports.PublishWithModelAsync(period, options.Value.LinkValidity, cancellationToken).ConfigureAwait(false);
        // Checked at start-up (DigestReportSettingsValidator); a chat message cannot carry a relative link.
        var url = shared.Url ?? throw new InvalidOperationException("The digest needs absolute report links: set 'Reports__PublicBaseUrl' to the API's public address, e.g. 'https://func-x.azurewebsites.net/api/'.");
        return new PublishedReport(new ReportLink(url, shared.ExpiresAt, shared.File.Sha256, shared.File.Length, shared.File.Pages), dayModel, periodModel);
    }

    /// <summary>
    /// The PDF the digest of <paramref name="period"/> describes, to attach to an email: null when it is larger than
    /// <paramref name="maxBytes"/>, or when the stored report changed since the message was composed (its SHA-256
    /// would not match the one the message names; the link then serves the newer one).
    /// </summary>
    public async Task<EmailAttachment?> ReadAttachmentAsync(ReportPeriod period, ReportLink report, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Bytes > maxBytes) return null;
        var day = period.Kind == PeriodKind.Day;
        var (file, generated) = day
            ? await reports.GetOrCreateWithContentAsync(period.First, cancellationToken).ConfigureAwait(false)
            : await periodReports.GetOrCreateWithContentAsync(period, cancellationToken).ConfigureAwait(false);
        if (file.Sha256 != report.Sha256 || file.Length > maxBytes) return null;
        var (current, content) = day
            ? await reports.OpenReadAsync(file, generated, cancellationToken).ConfigureAwait(false)
            : await periodReports.OpenReadAsync(file, period, generated, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            if (current.Sha256 != report.Sha256) return null;
            using var buffer = new MemoryStream((int)current.Length);
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return new EmailAttachment(ReportMarking.FileName(ReportMarking.Of(reportOptions.Value), current.FileName), buffer.ToArray());
        }
    }
}

/// <summary>
/// The stored report a digest links to and the model its PDF shows (<see cref="DayModel"/> for a day,
/// <see cref="PeriodModel"/> for a week or month): the message is composed from those figures, so it says what the PDF
/// says even when a late update lands meanwhile.
/// </summary>
public sealed record PublishedReport(ReportLink Link, DailyReport? DayModel = null, PeriodReport? PeriodModel = null);
