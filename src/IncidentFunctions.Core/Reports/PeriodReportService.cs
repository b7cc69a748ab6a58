using System.Diagnostics;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// Generates (or reuses) the PDF of a week or month and keeps it in Blob storage, as <see cref="DailyReportService"/>
/// does for a day: reused while the revision over all the period's days is unchanged, checked at most once per
/// <see cref="ReportOptions.CacheRevalidateAfter"/>, one generation of a period at a time per process.
/// </summary>
public sealed class PeriodReportService(
    PeriodReportBuilder builder,
    ReportCache cache,
    ReportFreshness<(long Tenant, PeriodKind Kind, LocalDate First)> freshness,
    ReportLinkSigner signer,
    ReportCalendar calendar,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IOptions<ReportOptions> options,
    IOptions<WallarmOptions> wallarmOptions,
    IOptions<EnrichmentOptions> enrichmentOptions,
    TimeProvider time,
    ReportDemand demand,
    ReportLogo logos,
    ILogger<PeriodReportService> logger)
{
    private readonly ReportOptions _options = options.Value;

    public async Task<ReportFile> GetOrCreateAsync(ReportPeriod period, CancellationToken cancellationToken = default)
        => (await GetOrCreateWithContentAsync(period, cancellationToken).ConfigureAwait(false)).File;

    /// <summary>As <see cref="GetOrCreateAsync"/>; when this call generated the file, also its content (see <see cref="DailyReportService.GetOrCreateWithContentAsync"/>).</summary>
    public async Task<(ReportFile File, byte[]? Generated)> GetOrCreateWithContentAsync(ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var (file, generated) = await GetOrCreateWithModelAsync(period, cancellationToken).ConfigureAwait(false);
        return (file, generated?.Pdf);
    }

    /// <summary>As <see cref="GetOrCreateAsync"/>; when this call generated the file, also its content and the model it was drawn from.</summary>
    private async Task<(ReportFile File, GeneratedPeriod? Generated)> GetOrCreateWithModelAsync(ReportPeriod period, CancellationToken cancellationToken)
    {
        demand.Requested();
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        GeneratedPeriod? generated = null;
        var file = await freshness.GetOrRefreshAsync((tenantId, period.Kind, period.First), _options.CacheRevalidateAfter, time, async (now, ct) =>
        {
            var storedTask = cache.GetAsync(tenantId, period, ct); // needs neither the logo nor the revision
            var logo = await logos.GetAsync(ct).ConfigureAwait(false);
            var revisionTask = cache.ComputeRevisionAsync(tenantId, period, SettingsFingerprint(period, now, logo), ct);
            await Task.WhenAll(revisionTask, storedTask).ConfigureAwait(false);
            var (revision, stored) = (revisionTask.Result, storedTask.Result);
            if (stored is not null && stored.Revision == revision && !stored.IsStaleAt(now)) return stored;
            generated = await GenerateAsync(tenantId, period, revision, logo, stored is null ? "missing" : "changed", ct).ConfigureAwait(false);
            return generated.File;
        }, cancellationToken).ConfigureAwait(false);
        return (file, generated);
    }

    /// <summary>The stored PDF of <paramref name="period"/> and a link that works without a function key until it expires.</summary>
    public async Task<SharedReport> PublishAsync(ReportPeriod period, TimeSpan? validFor = null, CancellationToken cancellationToken = default)
        => Share(await GetOrCreateAsync(period, cancellationToken).ConfigureAwait(false), period, validFor);

    /// <summary>As <see cref="PublishAsync"/>, with the model the stored PDF shows (see <see cref="DailyReportService.PublishWithModelAsync"/>).</summary>
    public async Task<(SharedReport Shared, PeriodReport Model)> PublishWithModelAsync(ReportPeriod period, TimeSpan? validFor = null, CancellationToken cancellationToken = default)
    {
        ReportFile file;
        PeriodReport model;
        for (var attempt = 1; ; attempt++)
        {
            (file, var generated) = await GetOrCreateWithModelAsync(period, cancellationToken).ConfigureAwait(false);
            if (generated is not null)
            {
                model = generated.Model;
                break;
            }

            model = await builder.BuildAsync(file.TenantId, period, cancellationToken).ConfigureAwait(false);
            var logo = await logos.GetAsync(cancellationToken).ConfigureAwait(false);
            var revision = await cache.ComputeRevisionAsync(file.TenantId, period, SettingsFingerprint(period, time.GetUtcNow(), logo), cancellationToken).ConfigureAwait(false);
            if (attempt == 3 || revision == file.Revision) break;
            freshness.Forget((file.TenantId, period.Kind, period.First));
        }

        return (Share(file, period, validFor), model);
    }

    /// <summary>The stored period's PDF with a signed link to it, valid for <paramref name="validFor"/>.</summary>
    private SharedReport Share(ReportFile file, ReportPeriod period, TimeSpan? validFor)
    {
        var kind = ReportPeriods.Segment(period.Kind);
        var signed = signer.Sign(PeriodReportEndpoint.PathFor(kind, period.Key), validFor ?? _options.SignedLinkLifetime);
        var pathAndQuery = $"{SharedPeriodReportEndpoint.PathFor(kind, period.Key)}?{signed.Query}";
        return new SharedReport(file, _options.PublicLink(pathAndQuery), pathAndQuery, signed.ExpiresAt);
    }

    /// <summary>The content of <paramref name="file"/>; when the blob was replaced meanwhile, of its current version.</summary>
    public Task<(ReportFile File, Stream Content)> OpenReadAsync(ReportFile file, ReportPeriod period, CancellationToken cancellationToken = default)
        => OpenReadAsync(file, period, null, cancellationToken);

    /// <summary>As <see cref="OpenReadAsync(ReportFile, ReportPeriod, CancellationToken)"/>, from <paramref name="generated"/> (the file's content) when given.</summary>
    public async Task<(ReportFile File, Stream Content)> OpenReadAsync(ReportFile file, ReportPeriod period, byte[]? generated, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (generated is not null) return (file, new MemoryStream(generated, writable: false));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await cache.OpenReadAsync(file, cancellationToken).ConfigureAwait(false) is { } stream) return (file, stream);
            freshness.Forget((file.TenantId, period.Kind, period.First));
            file = await GetOrCreateAsync(period, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"The report of {period.Key} keeps changing while being read.");
    }

    private async Task<GeneratedPeriod> GenerateAsync(long tenantId, ReportPeriod period, string revision, LogoImage? logo, string reason, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var report = await builder.BuildAsync(tenantId, period, cancellationToken).ConfigureAwait(false) with { Logo = logo };
        var rendered = new PeriodReportDocument(report, DailyReportDocument.GeometryFor(_options.PageSize)).Render();
        var ongoing = report.Incidents.Where(i => i.Ongoing).Select(i => (DateTimeOffset?)(i.LastSeen + _options.OngoingWindow)).Min();
        var file = await cache.PutAsync(tenantId, period, rendered.Pdf, revision, report.GeneratedAt, rendered.Pages, ongoing, cancellationToken).ConfigureAwait(false);
        ReportsLog.GeneratedPeriod(logger, period.Key, reason, report.IncidentsTotal, rendered.Pages, rendered.Pdf.Length, stopwatch.ElapsedMilliseconds);
        return new GeneratedPeriod(file, rendered.Pdf, report);
    }

    /// <summary>
    /// Settings (and the logo's version) that change the PDF without changing storage; for a period not ended, also
    /// today (days "not reached yet").
    /// </summary>
    private string SettingsFingerprint(ReportPeriod period, DateTimeOffset now, LogoImage? logo)
        => string.Join('\u001f', _options.Title, _options.CompanyName, _options.Marking, _options.IncidentOrder, _options.PageSize, _options.TopRows, calendar.ZoneId,
            _options.OngoingWindow, _options.PublicBaseUrl?.AbsoluteUri, wallarmOptions.Value.ResolveConsoleAddress()?.AbsoluteUri, ReportLogo.VersionOf(logo), enrichmentOptions.Value.StaleAfter,
            calendar.IsComplete(period, now) ? "complete" : ReportCalendar.IsoDay(calendar.DayOf(now)));

    private sealed record GeneratedPeriod(ReportFile File, byte[] Pdf, PeriodReport Model);
}
