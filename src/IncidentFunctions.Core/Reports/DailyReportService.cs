using System.Diagnostics;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>A stored report and a signed link to it.</summary>
/// <param name="Url">Absolute link when <see cref="ReportOptions.PublicBaseUrl"/> is set; otherwise null.</param>
/// <param name="PathAndQuery">The link relative to the API base (route prefix excluded), e.g. <c>reports/shared/daily/2026-11-20.pdf?exp=…</c>.</param>
public sealed record SharedReport(ReportFile File, Uri? Url, string PathAndQuery, DateTimeOffset ExpiresAt);

/// <summary>What the start-up warm-up read from storage: the day and the incidents of its model.</summary>
internal sealed record StoredDayWarmUp(LocalDate Day, int Incidents);

/// <summary>
/// Generates (or reuses) the PDF of a report day, keeps it in Blob storage, and issues signed links to it. A stored
/// file is reused while the storage revision it was generated from is unchanged; the check runs at most once per
/// <see cref="ReportOptions.CacheRevalidateAfter"/> per day and instance, and generation of one day is never run
/// twice at once in a process.
/// </summary>
public sealed class DailyReportService(
    DailyReportBuilder builder,
    ReportCache cache,
    ReportFreshness<(long Tenant, LocalDate Day)> freshness,
    ReportLinkSigner signer,
    ReportCalendar calendar,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IncidentStore incidents,
    IOptions<ReportOptions> options,
    IOptions<WallarmOptions> wallarmOptions,
    IOptions<EnrichmentOptions> enrichmentOptions,
    TimeProvider time,
    ReportDemand demand,
    ReportLogo logos,
    ILogger<DailyReportService> logger)
{
    private readonly ReportOptions _options = options.Value;

    /// <summary>Yesterday in the report zone: the last complete day.</summary>
    public LocalDate LatestDay() => Today().PlusDays(-1);

    public LocalDate Today() => calendar.DayOf(time.GetUtcNow());

    /// <summary>True when <paramref name="day"/> is today or within <see cref="ReportOptions.RetentionDays"/> before it.</summary>
    public bool IsAvailable(LocalDate day)
    {
        var today = Today();
        return day <= today && day >= today.PlusDays(-_options.RetentionDays);
    }

    /// <summary>The stored PDF of <paramref name="day"/>, generated first when missing or out of date.</summary>
    public async Task<ReportFile> GetOrCreateAsync(LocalDate day, CancellationToken cancellationToken = default)
        => (await GetOrCreateWithContentAsync(day, cancellationToken).ConfigureAwait(false)).File;

    /// <summary>
    /// As <see cref="GetOrCreateAsync"/>; when this call generated the file, also its content, so a caller that serves
    /// it need not download what was just uploaded (<see cref="OpenReadAsync(ReportFile, byte[], CancellationToken)"/>).
    /// </summary>
    public async Task<(ReportFile File, byte[]? Generated)> GetOrCreateWithContentAsync(LocalDate day, CancellationToken cancellationToken = default)
    {
        var (file, generated) = await GetOrCreateWithModelAsync(day, cancellationToken).ConfigureAwait(false);
        return (file, generated?.Pdf);
    }

    /// <summary>As <see cref="GetOrCreateAsync"/>; when this call generated the file, also its content and the model it was drawn from.</summary>
    private async Task<(ReportFile File, GeneratedDay? Generated)> GetOrCreateWithModelAsync(LocalDate day, CancellationToken cancellationToken)
    {
        demand.Requested();
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        GeneratedDay? generated = null;
        var file = await freshness.GetOrRefreshAsync((tenantId, day), _options.CacheRevalidateAfter, time, async (now, ct) =>
        {
            // The lookup needs neither the logo nor the revision, so it goes first and overlaps both.
            var storedTask = cache.GetAsync(tenantId, day, ct);
            var logo = await logos.GetAsync(ct).ConfigureAwait(false);
            var revisionTask = cache.ComputeRevisionAsync(tenantId, day, SettingsFingerprint(logo), ct);
            await Task.WhenAll(revisionTask, storedTask).ConfigureAwait(false);
            var (revision, stored) = (revisionTask.Result, storedTask.Result);
            if (stored is not null && stored.Revision == revision && !stored.IsStaleAt(now))
            {
                // Only when it is written: a cache hit builds no string otherwise.
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    var dayKey = ReportCalendar.IsoDay(day);
                    ReportsLog.ServedFromCache(logger, dayKey, stored.GeneratedAt);
                }
                return stored;
            }

            generated = await GenerateAsync(tenantId, day, revision, logo, stored is null ? "missing" : "changed", ct).ConfigureAwait(false);
            return generated.File;
        }, cancellationToken).ConfigureAwait(false);
        return (file, generated);
    }

    /// <summary>
    /// What a request does, short of rendering, storing a report or counting as one: the tenant, the revision check and the cache
    /// lookup of the latest day, then the model of the most recent day with stored rows, read from storage (at most
    /// <see cref="DailyReportBuilder.PageSize"/> rows of each of its sets). An instance warming up at start so runs the
    /// table reads, entity binding and folds once (the made-up day of the render warm-up reaches none of them), at the
    /// cost of reading part of that day; then a scratch file is stored and deleted as a report's would be. Returns null
    /// when no day has rows yet.
    /// </summary>
    internal async Task<StoredDayWarmUp?> WarmUpAsync(CancellationToken cancellationToken)
    {
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var latest = LatestDay();
        await cache.ComputeRevisionAsync(tenantId, latest, SettingsFingerprint(await logos.GetAsync(cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        await cache.GetAsync(tenantId, latest, cancellationToken).ConfigureAwait(false);
        // A quiet tenant's yesterday may have no rows, and change marks cannot tell (a report or export of a day creates
        // one): the days a report can be asked for are probed from today back.
        if (await incidents.LatestDayWithRowsAsync(tenantId, Today(), _options.RetentionDays + 1, cancellationToken).ConfigureAwait(false) is not { } day) return null;
        // One page of each set runs all of the code; more of a busy day would only add time and memory at start. The
        // model is not rendered: the made-up day's renders warm that code, and rendering this one as well left a
        // 10,000-incident report's peak about 3 MB higher (daily-report-memory) for no measurable gain.
        var report = await builder.BuildAsync(tenantId, day, DailyReportBuilder.PageSize, cancellationToken).ConfigureAwait(false);
        await cache.WarmUpUploadAsync(cancellationToken).ConfigureAwait(false);
        return new StoredDayWarmUp(day, report.Incidents.Count);
    }

    /// <summary>
    /// Generates (or reuses) and stores the PDF of <paramref name="day"/> and returns it with a link that works without
    /// a function key until it expires.
    /// </summary>
    /// <param name="validFor">Link lifetime; <see cref="ReportOptions.SignedLinkLifetime"/> when null, at most <see cref="ReportOptions.MaxSignedLinkLifetime"/>.</param>
    public async Task<SharedReport> PublishAsync(LocalDate day, TimeSpan? validFor = null, CancellationToken cancellationToken = default)
        => Share(await GetOrCreateAsync(day, cancellationToken).ConfigureAwait(false), validFor);

    /// <summary>
    /// As <see cref="PublishAsync"/>, with the model the stored PDF shows, so a digest composes its message from the
    /// PDF's figures: the model the PDF was just drawn from, or, when the stored PDF was reused, one read now and
    /// checked against the PDF's revision. A write since the PDF was last checked makes the PDF be generated again
    /// (at most twice more), so the message and the PDF it links to do not differ.
    /// </summary>
    public async Task<(SharedReport Shared, DailyReport Model)> PublishWithModelAsync(LocalDate day, TimeSpan? validFor = null, CancellationToken cancellationToken = default)
    {
        ReportFile file;
        DailyReport model;
        for (var attempt = 1; ; attempt++)
        {
            (file, var generated) = await GetOrCreateWithModelAsync(day, cancellationToken).ConfigureAwait(false);
            if (generated is not null)
            {
                model = generated.Model;
                break;
            }

            model = await builder.BuildAsync(file.TenantId, day, cancellationToken).ConfigureAwait(false);
            var logo = await logos.GetAsync(cancellationToken).ConfigureAwait(false);
            var revision = await cache.ComputeRevisionAsync(file.TenantId, day, SettingsFingerprint(logo), cancellationToken).ConfigureAwait(false);
            if (attempt == 3 || revision == file.Revision) break;
            freshness.Forget((file.TenantId, day));
        }

        return (Share(file, validFor), model);
    }

    /// <summary>The stored day's PDF with a signed link to it, valid for <paramref name="validFor"/>.</summary>
    private SharedReport Share(ReportFile file, TimeSpan? validFor)
    {
        var iso = ReportCalendar.IsoDay(file.Day);
        var signed = signer.Sign(DailyReportEndpoint.PathFor(iso), validFor ?? _options.SignedLinkLifetime);
        var pathAndQuery = $"{SharedDailyReportEndpoint.PathFor(iso)}?{signed.Query}";
        return new SharedReport(file, _options.PublicLink(pathAndQuery), pathAndQuery, signed.ExpiresAt);
    }

    /// <summary>The content of <paramref name="file"/>; when the blob was replaced meanwhile, of its current version.</summary>
    public Task<(ReportFile File, Stream Content)> OpenReadAsync(ReportFile file, CancellationToken cancellationToken = default)
        => OpenReadAsync(file, null, cancellationToken);

    /// <summary>As <see cref="OpenReadAsync(ReportFile, CancellationToken)"/>, from <paramref name="generated"/> (the file's content) when given.</summary>
    public async Task<(ReportFile File, Stream Content)> OpenReadAsync(ReportFile file, byte[]? generated, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (generated is not null) return (file, new MemoryStream(generated, writable: false));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await cache.OpenReadAsync(file, cancellationToken).ConfigureAwait(false) is { } stream) return (file, stream);
            freshness.Forget((file.TenantId, file.Day));
            file = await GetOrCreateAsync(file.Day, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"The report of {ReportCalendar.IsoDay(file.Day)} keeps changing while being read.");
    }

    private async Task<GeneratedDay> GenerateAsync(long tenantId, LocalDate day, string revision, LogoImage? logo, string reason, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var report = await builder.BuildAsync(tenantId, day, cancellationToken).ConfigureAwait(false) with { Logo = logo };
        await ReportMemory.ReleaseInputsAsync(report.Incidents.Count).ConfigureAwait(false);
        var rendered = new DailyReportDocument(report, DailyReportDocument.GeometryFor(_options.PageSize)).Render();
        var ongoing = report.Incidents.Where(i => i.Ongoing).Select(i => (DateTimeOffset?)(i.LastSeen + _options.OngoingWindow)).Min();
        var file = await cache.PutAsync(tenantId, day, rendered.Pdf, revision, report.GeneratedAt, rendered.Pages, ongoing, cancellationToken).ConfigureAwait(false);
        var dayKey = ReportCalendar.IsoDay(day); // not the LocalDate: it prints as "Tuesday, 01 December 2026"
        ReportsLog.Generated(logger, dayKey, reason, report.Incidents.Count, rendered.Pages, rendered.Pdf.Length, stopwatch.ElapsedMilliseconds);
        return new GeneratedDay(file, rendered.Pdf, report);
    }

    /// <summary>Settings (and the logo's version) that change the PDF without changing the day's rows.</summary>
    private string SettingsFingerprint(LogoImage? logo)
        => string.Join('\u001f', _options.Title, _options.CompanyName, _options.Marking, _options.IncidentOrder, _options.PageSize, _options.TopRows, calendar.ZoneId,
            _options.OngoingWindow, wallarmOptions.Value.ResolveConsoleAddress()?.AbsoluteUri, ReportLogo.VersionOf(logo), enrichmentOptions.Value.StaleAfter);

    private sealed record GeneratedDay(ReportFile File, byte[] Pdf, DailyReport Model);
}
