using System.Collections.Concurrent;
using System.Diagnostics;
using IncidentFunctions.Calendar;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>Per-process memory of which stored file is current for a week or month (kept apart from the days': a Monday is both).</summary>
public sealed class PeriodReportFreshness
{
    internal ConcurrentDictionary<(long Tenant, PeriodKind Kind, LocalDate First), (ReportFile File, DateTimeOffset CheckedAt)> Checked { get; } = new();

    internal ConcurrentDictionary<(long Tenant, PeriodKind Kind, LocalDate First), SemaphoreSlim> Gates { get; } = new();
}

/// <summary>
/// Generates (or reuses) the PDF of a week or month and keeps it in Blob storage, as <see cref="DailyReportService"/>
/// does for a day: reused while the revision over all the period's partitions is unchanged, checked at most once per
/// <see cref="ReportOptions.CacheRevalidateAfter"/>, one generation of a period at a time per process.
/// </summary>
public sealed class PeriodReportService(
    PeriodReportBuilder builder,
    ReportCache cache,
    PeriodReportFreshness freshness,
    ReportLinkSigner signer,
    ReportCalendar calendar,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IOptions<ReportOptions> options,
    IOptions<WallarmOptions> wallarmOptions,
    TimeProvider time,
    ILogger<PeriodReportService> logger)
{
    private readonly ReportOptions _options = options.Value;

    public async Task<ReportFile> GetOrCreateAsync(ReportPeriod period, CancellationToken cancellationToken = default)
    {
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var key = (tenantId, period.Kind, period.First);
        var now = time.GetUtcNow();
        if (freshness.Checked.TryGetValue(key, out var known) && now - known.CheckedAt < _options.CacheRevalidateAfter && !IsStale(known.File, now)) return known.File;

        var gate = freshness.Gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            now = time.GetUtcNow();
            if (freshness.Checked.TryGetValue(key, out known) && now - known.CheckedAt < _options.CacheRevalidateAfter && !IsStale(known.File, now)) return known.File;

            var revision = await cache.ComputeRevisionAsync(tenantId, period, SettingsFingerprint(period, now), cancellationToken).ConfigureAwait(false);
            var stored = await cache.GetAsync(tenantId, period, cancellationToken).ConfigureAwait(false);
            if (stored is null || stored.Revision != revision || IsStale(stored, now))
            {
                stored = await GenerateAsync(tenantId, period, revision, stored is null ? "missing" : "changed", cancellationToken).ConfigureAwait(false);
            }

            freshness.Checked[key] = (stored, time.GetUtcNow());
            return stored;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>For the period digests: the stored PDF and a link that works without a function key until it expires.</summary>
    public async Task<SharedReport> PublishAsync(ReportPeriod period, TimeSpan? validFor = null, CancellationToken cancellationToken = default)
    {
        var file = await GetOrCreateAsync(period, cancellationToken).ConfigureAwait(false);
        var kind = ReportPeriods.Segment(period.Kind);
        var signed = signer.Sign(PeriodReportEndpoint.PathFor(kind, period.Key), validFor ?? _options.SignedLinkLifetime);
        var pathAndQuery = $"{SharedPeriodReportEndpoint.PathFor(kind, period.Key)}?{signed.Query}";
        var url = _options.PublicBaseUrl is { } b ? new Uri(b.AbsoluteUri.EndsWith('/') ? b : new Uri(b.AbsoluteUri + "/"), pathAndQuery) : null;
        return new SharedReport(file, url, pathAndQuery, signed.ExpiresAt);
    }

    /// <summary>The content of <paramref name="file"/>; when the blob was replaced meanwhile, of its current version.</summary>
    public async Task<(ReportFile File, Stream Content)> OpenReadAsync(ReportFile file, ReportPeriod period, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await cache.OpenReadAsync(file, cancellationToken).ConfigureAwait(false) is { } stream) return (file, stream);
            freshness.Checked.TryRemove((file.TenantId, period.Kind, period.First), out _);
            file = await GetOrCreateAsync(period, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"The report of {period.Key} keeps changing while being read.");
    }

    private async Task<ReportFile> GenerateAsync(long tenantId, ReportPeriod period, string revision, string reason, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var report = await builder.BuildAsync(tenantId, period, cancellationToken).ConfigureAwait(false);
        var rendered = new PeriodReportDocument(report, DailyReportDocument.GeometryFor(_options.PageSize)).Render();
        var ongoing = report.Incidents.Where(i => i.Ongoing).Select(i => (DateTimeOffset?)(i.LastSeen + _options.OngoingWindow)).Min();
        var file = await cache.PutAsync(tenantId, period, rendered.Pdf, revision, report.GeneratedAt, rendered.Pages, ongoing, cancellationToken).ConfigureAwait(false);
        ReportsLog.GeneratedPeriod(logger, period.Key, reason, report.IncidentsTotal, rendered.Pages, rendered.Pdf.Length, stopwatch.ElapsedMilliseconds);
        return file;
    }

    private static bool IsStale(ReportFile file, DateTimeOffset now) => file.StaleAfter is { } s && now >= s;

    /// <summary>Settings that change the PDF without changing storage; for a period not ended, also today (days "not reached yet").</summary>
    private string SettingsFingerprint(ReportPeriod period, DateTimeOffset now)
        => string.Join('\u001f', _options.Title, _options.CompanyName, _options.IncidentOrder, _options.PageSize, _options.TopRows, calendar.ZoneId,
            _options.OngoingWindow, _options.PublicBaseUrl?.AbsoluteUri, wallarmOptions.Value.ResolveConsoleAddress()?.AbsoluteUri,
            calendar.IsComplete(period, now) ? "complete" : ReportCalendar.IsoDay(calendar.DayOf(now)));
}
