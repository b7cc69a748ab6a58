using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace IncidentFunctions.Incidents;

public enum PullOutcome
{
    /// <summary>Every window up to the run's start was pulled.</summary>
    Succeeded,

    /// <summary>The run budget ran out; the checkpoint marks where the next run resumes.</summary>
    Partial,
}

/// <param name="Quarantined">Distinct records this run could not store and set aside (see <see cref="RecordQuarantine"/>).</param>
/// <param name="OngoingReread">Stored ongoing incidents this run re-read by id.</param>
/// <param name="TimeFilter">What Wallarm's <c>time</c> filter is known to match (<see cref="TimeFilterMatch"/>), if known.</param>
public sealed record PullResult(
    string RunId,
    long TenantId,
    PullOutcome Outcome,
    int WindowsPulled,
    int WindowsLeft,
    int Incidents,
    int RowsWritten,
    int Sources,
    int Messages,
    DateTimeOffset? PulledUntil,
    TimeSpan Elapsed,
    int Quarantined = 0,
    int OngoingReread = 0,
    string? TimeFilter = null);

/// <summary>
/// The <c>PullIncidents</c> job: pulls incidents active since the checkpoint (minus the overlap) window by window,
/// stores them, queues their source IPs for enrichment, logs the window as covered and only then moves the
/// checkpoint. A crash anywhere repeats at most one window, and every step of a window is idempotent.
/// </summary>
/// <remarks>
/// <para>Records that cannot be stored go to the <see cref="RecordQuarantine"/> and the window completes without
/// them; a window counts as covered only when the distinct records read match Wallarm's count taken after paging.</para>
/// <para>Wallarm's <c>time</c> filter may match an incident by its span or by its first hit only (nothing public
/// settles it), so each run also re-reads by id every stored incident whose last hit lies within
/// <see cref="IngestionOptions.OngoingHorizon"/> and that no window returned, and notes which meaning the windows showed.</para>
/// <para>Every failure — tenant discovery, 401/403, storage — is recorded on the checkpoint and the last-run record
/// (<see cref="PullRunEntity"/>) with the setting to fix, so the status endpoint can tell.</para>
/// </remarks>
public sealed class IncidentPuller(
    WallarmClient wallarm,
    WallarmTenant tenant,
    IncidentStore store,
    CheckpointStore checkpoints,
    CoverageLog coverage,
    RecordQuarantine quarantine,
    VulnerabilityCatalog vulnerabilities,
    EnrichmentPublisher enrichment,
    ReportCalendar calendar,
    TimeProvider time,
    IOptions<IngestionOptions> options,
    IOptions<WallarmOptions> wallarmOptions,
    ILogger<IncidentPuller> logger)
{
    /// <summary>Passes over a window whose count does not match yet, at least (even past the budget) and at most.</summary>
    private const int MinPasses = 3;

    private const int MaxPasses = 6;

    /// <summary>A window read short is split in halves down to this length; one this short that still reads short fails the run (see <see cref="ShortRunsBeforeAccepting"/>).</summary>
    internal static readonly TimeSpan MinSplitWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Consecutive runs short at the same shortest window before it is taken as its pages hold it: a record Wallarm
    /// counts but never lists would otherwise hold the checkpoint there for good. What is missing is filed as unreadable.
    /// </summary>
    internal const int ShortRunsBeforeAccepting = 3;

    /// <summary>At most this many unreadable entries stand for one accepted window's missing incidents.</summary>
    private const int MaxUnreadEntries = 100;

    /// <summary>Windows with unreadable entries read again per recheck, the newest first.</summary>
    private const int MaxUnreadRechecks = 10;

    private readonly IngestionOptions _options = options.Value;

    public async Task<PullResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var startedAt = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        var runId = startedAt.ToString("yyyyMMddTHHmmssfffZ", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var lastRun = new PullRunEntity { RunId = runId, StartedAt = startedAt };
        long? tenantId = null;
        CheckpointEntity? checkpoint = null;
        try
        {
            tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
            lastRun.TenantId = tenantId;
            checkpoint = await checkpoints.GetAsync(tenantId.Value, cancellationToken).ConfigureAwait(false) ?? new CheckpointEntity();
            var result = await PullAsync(tenantId.Value, checkpoint, runId, startedAt, startTimestamp, cancellationToken).ConfigureAwait(false);

            lastRun.Outcome = result.Outcome.ToString();
            lastRun.FinishedAt = checkpoint.LastRunFinishedAt;
            await checkpoints.SaveLastRunAsync(lastRun, cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stopped the run (shutdown, scale-in, deployment, timeout): every Flex Consumption scale-in during
            // a pull would otherwise turn the status to failing and page whoever watches it.
            IngestionLog.RunStopped(logger, runId, checkpoint?.PulledUntil);
            await RecordEndAsync(tenantId, checkpoint, lastRun, CheckpointEntity.StoppedOutcome, null, null).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not CheckpointConflictException)
        {
            var error = ex is WallarmAuthenticationException forbidden ? await ExplainAsync(forbidden).ConfigureAwait(false) : ex;
            IngestionLog.RunFailed(logger, error, runId, checkpoint?.PulledUntil);
            var (reason, setting) = IngestionFailure.Describe(error);
            await RecordEndAsync(tenantId, checkpoint, lastRun, CheckpointEntity.FailedOutcome, reason, setting).ConfigureAwait(false);
            if (ReferenceEquals(error, ex)) throw;
            throw error;
        }
    }

    private async Task<PullResult> PullAsync(long tenantId, CheckpointEntity checkpoint, string runId, DateTimeOffset startedAt, long startTimestamp, CancellationToken cancellationToken)
    {
        var from = checkpoint.PulledUntil is { } pulledUntil ? pulledUntil - _options.Overlap : startedAt - _options.InitialLookback;
        var oldest = startedAt - _options.MaxCatchUp;
        if (from < oldest)
        {
            IngestionLog.CatchUpClamped(logger, from, oldest);
            from = oldest;
        }

        var windows = from < startedAt ? new TimeWindow(from, startedAt).Split(_options.WindowSize).ToList() : [];
        IngestionLog.RunStarting(logger, runId, tenantId, from, windows.Count, startedAt);

        if (checkpoint.TimeZone is { } previousZone && previousZone != calendar.ZoneId)
        {
            IngestionLog.TimeZoneChanged(logger, previousZone, calendar.ZoneId);
        }

        checkpoint.TimeZone = calendar.ZoneId;
        checkpoint.LastRunId = runId;
        checkpoint.LastRunStartedAt = startedAt;
        // Claims the checkpoint: a second run racing on this tenant now fails on the ETag instead of writing too.
        await checkpoints.SaveAsync(tenantId, checkpoint, cancellationToken).ConfigureAwait(false);

        var ledger = await quarantine.OpenAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var ongoing = _options.OngoingHorizon > TimeSpan.Zero
            ? await store.GetOngoingAsync(tenantId, startedAt - _options.OngoingHorizon, startedAt, cancellationToken).ConfigureAwait(false)
            : [];
        var evidence = new TimeFilterEvidence();
        var run = new RunState(tenantId, runId, startedAt, ledger);
        var pulled = 0;
        for (var i = 0; i < windows.Count; i++)
        {
            var window = windows[i];
            var elapsed = time.GetElapsedTime(startTimestamp);
            if (pulled > 0 && elapsed >= _options.RunBudget)
            {
                IngestionLog.BudgetExhausted(logger, runId, elapsed, _options.RunBudget, windows.Count - pulled);
                break;
            }

            if (await PullWindowAsync(window, run, checkpoint, startTimestamp, cancellationToken).ConfigureAwait(false) is not { } pass)
            {
                // Read short even after several passes: its halves take its place, each checked against its own count.
                windows.RemoveAt(i);
                windows.InsertRange(i, Halves(window));
                i--; // the first half is next
                continue;
            }

            evidence.Add(window, pass, ongoing);
            await coverage.RecordAsync(tenantId, window, runId, pass.Ids.Count, pass.QuarantinedKeys.Count, startedAt, cancellationToken).ConfigureAwait(false);
            checkpoint.PulledUntil = window.To;
            checkpoint.IncidentsWritten += pass.Ids.Count;
            if (checkpoint.ShortWindowTo is { } shortTo && shortTo <= window.To) (checkpoint.ShortWindowFrom, checkpoint.ShortWindowTo, checkpoint.ShortWindowRuns) = (null, null, 0);
            await checkpoints.SaveAsync(tenantId, checkpoint, cancellationToken).ConfigureAwait(false);
            pulled++;
        }

        var reread = await RereadOngoingAsync(ongoing, run, caughtUp: pulled == windows.Count, startTimestamp, cancellationToken).ConfigureAwait(false);
        if (pulled == windows.Count) await RecheckUnreadAsync(run, checkpoint, startTimestamp, cancellationToken).ConfigureAwait(false);
        await vulnerabilities.RetryPendingAsync(wallarm, tenantId, cancellationToken).ConfigureAwait(false);
        NoteTimeFilter(checkpoint, evidence, windows.Count > 0 ? windows[0] : null);

        var outcome = pulled < windows.Count ? PullOutcome.Partial : PullOutcome.Succeeded;
        checkpoint.LastOutcome = outcome.ToString();
        checkpoint.LastError = null;
        checkpoint.LastErrorSetting = null;
        checkpoint.QuarantinedRecords = ledger.OpenCount;
        checkpoint.LastRunQuarantined = ledger.QuarantinedThisRun;
        checkpoint.LastRunFinishedAt = time.GetUtcNow();
        checkpoint.LastSuccessAt = checkpoint.LastRunFinishedAt;
        await checkpoints.SaveAsync(tenantId, checkpoint, cancellationToken).ConfigureAwait(false);

        IngestionLog.RunFinished(logger, runId, outcome, run.Incidents, pulled, checkpoint.PulledUntil);
        return new PullResult(runId, tenantId, outcome, pulled, windows.Count - pulled, run.Incidents, run.Rows, run.Sources, run.Messages,
            checkpoint.PulledUntil, time.GetElapsedTime(startTimestamp), ledger.QuarantinedThisRun, reread, checkpoint.TimeFilter);
    }

    /// <summary>
    /// Reads a window until the distinct records read match Wallarm's count taken after paging: records that move while
    /// pages are read (an update jumps to the first page, late data arrives) are caught by another pass. Null when the
    /// window still reads short and is long enough to split: a page that keeps coming back short or refused at depth
    /// (an API whose offset paging ends before the window does) would otherwise stop every run at this window for good.
    /// What was read is stored and finished either way, so the halves' passes find it written.
    /// </summary>
    private async Task<RecordPass?> PullWindowAsync(TimeWindow window, RunState run, CheckpointEntity checkpoint, long startTimestamp, CancellationToken cancellationToken)
    {
        var pass = new RecordPass(window);
        var splittable = window.Duration >= 2 * MinSplitWindow;
        await using var writer = await store.OpenWriterAsync(run.StartedAt, cancellationToken).ConfigureAwait(false);
        for (var passes = 1; ; passes++)
        {
            var pagesBefore = pass.Pages;
            try
            {
                await ReadPagesAsync(wallarm.GetIncidentPagesAsync(run.TenantId, window, cancellationToken), run, pass, writer, cancellationToken).ConfigureAwait(false);
            }
            catch (WallarmApiException refused) when (refused.StatusCode is 400 or 422 && pass.Pages > pagesBefore && splittable)
            {
                // The first page was answered, a deeper one refused: the offset went past what the API pages to.
                IngestionLog.WindowPagingRefused(logger, window, pass.Pages - pagesBefore, FailureText.Describe(refused));
                return await SplitAsync(run, pass, writer, cancellationToken).ConfigureAwait(false);
            }

            if (!wallarmOptions.Value.VerifyCounts) break;

            // Counted after paging: whatever appeared or moved meanwhile is in the count, so a shortfall shows.
            var expected = await wallarm.CountIncidentsAsync(run.TenantId, window, cancellationToken).ConfigureAwait(false);
            if (pass.Received >= expected) break;
            if (expected - pass.Received <= pass.Broken)
            {
                // Explained: the listing holds them, but Wallarm fails to send them. Reading again or in halves cannot
                // help, and a long incident lies in every window of its span: holding each for three runs stalled the
                // pull for as long as it lasted.
                var notFiled = JoinBrokenSpan(checkpoint, window, (int)(expected - pass.Received), run.Ledger);
                IngestionLog.WindowShortByBrokenRecords(logger, window, expected, pass.Received, pass.Broken, notFiled);
                var why = string.Create(CultureInfo.InvariantCulture, $": {pass.Broken} record(s) listed there broke every answer holding them; this stands for one of them");
                await FileUnreadAsync(run, pass, expected, notFiled, why, cancellationToken).ConfigureAwait(false);
                break;
            }

            if (passes >= MinPasses && (passes >= MaxPasses || time.GetElapsedTime(startTimestamp) >= _options.RunBudget))
            {
                if (splittable)
                {
                    IngestionLog.WindowSplit(logger, window, expected, pass.Received, passes);
                    return await SplitAsync(run, pass, writer, cancellationToken).ConfigureAwait(false);
                }

                var shortfall = expected - pass.Received;
                var filed = run.Ledger.UnreadOverlapping(window);
                if (filed >= shortfall)
                {
                    // Filed already from an overlapping window an earlier run took as read: most likely the same records
                    // (one counted but never listed is missing from every window that holds it), so not filed again.
                    IngestionLog.WindowShortAlreadyFiled(logger, window, expected, pass.Received, filed);
                    pass.AcceptedShort = true;
                    break;
                }

                var shortRuns = checkpoint.ShortWindowFrom is { } from && checkpoint.ShortWindowTo is { } to && new TimeWindow(from, to).Overlaps(window) ? checkpoint.ShortWindowRuns + 1 : 1;
                if (shortRuns < ShortRunsBeforeAccepting)
                {
                    (checkpoint.ShortWindowFrom, checkpoint.ShortWindowTo, checkpoint.ShortWindowRuns) = (window.From, window.To, shortRuns);
                    throw new WallarmCountMismatchException(
                        $"Wallarm counted {expected} incident(s) in window {window} after paging, but {passes} passes over its pages held {pass.Received} distinct, also after splitting it down to {MinSplitWindow.TotalMinutes:0} minutes: a page came back short or the records kept moving. The checkpoint was not moved. Run {shortRuns} of {ShortRunsBeforeAccepting} to stop here: the {ShortRunsBeforeAccepting}rd files the missing incidents as unreadable records and goes on (Wallarm__VerifyCounts=false takes what the pages hold at once).");
                }

                IngestionLog.WindowAcceptedShort(logger, window, expected, pass.Received, shortRuns);
                var why = string.Create(CultureInfo.InvariantCulture, $" in {ShortRunsBeforeAccepting} runs; this stands for one never listed");
                await FileUnreadAsync(run, pass, expected, shortfall - filed, why, cancellationToken).ConfigureAwait(false);
                break;
            }

            IngestionLog.WindowShort(logger, window, expected, pass.Received);
        }

        if (wallarmOptions.Value.VerifyCounts && !pass.AcceptedShort)
        {
            // Read whole against Wallarm's count: incidents once filed as unread within this window have come back.
            await run.Ledger.ResolveUnreadWithinAsync(run.RunId, window, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        if (pass.Skipped.Count > 0) IngestionLog.NonIncidentsSkipped(logger, pass.Skipped.Count);
        if (pass.QuarantinedKeys.Count > 0) IngestionLog.RecordsQuarantined(logger, window, pass.QuarantinedKeys.Count);
        pass.Rows = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await FinishPassAsync(run, pass, cancellationToken).ConfigureAwait(false);
        IngestionLog.WindowPulled(logger, window, pass.Ids.Count, pass.Rows, pass.SourcesSent, pass.MessagesSent);
        return pass;
    }

    /// <summary>Stores and finishes what a short window's passes read (its halves then skip the unchanged rows); null.</summary>
    private async Task<RecordPass?> SplitAsync(RunState run, RecordPass pass, IncidentBatchWriter writer, CancellationToken cancellationToken)
    {
        pass.Rows = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await FinishPassAsync(run, pass, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Files the incidents Wallarm counted in an accepted short window but never sent readable as unreadable records (at
    /// most <see cref="MaxUnreadEntries"/>), so the day's report and digest say they are missing from the figures.
    /// </summary>
    private static async Task FileUnreadAsync(RunState run, RecordPass pass, long expected, long notFiledYet, string why, CancellationToken cancellationToken)
    {
        pass.AcceptedShort = true;
        if (notFiledYet <= 0) return;
        var missing = (int)Math.Min(notFiledYet, MaxUnreadEntries);
        var reason = string.Create(CultureInfo.InvariantCulture, $"Wallarm counted {expected} incident(s) in window {pass.Window}, but its pages held {pass.Received}{why}");
        var entries = Enumerable.Range(1, missing)
            .Select(i => new WallarmRejectedRecord(-1, QuarantineLedger.UnreadKey(pass.Window, i), reason, "", 0, ""))
            .ToList();
        foreach (var entry in entries) pass.QuarantinedKeys.Add(entry.Key);
        await run.Ledger.QuarantineAsync(run.RunId, pass.Window, entries, run.StartedAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds <paramref name="window"/>, short by <paramref name="missing"/> records that broke every answer, to the span of
    /// such windows next to each other or overlapping (kept on the checkpoint, so later runs' windows join it too): the
    /// records filed for the span most likely stand for this window's as well. Returns how many are not filed yet.
    /// </summary>
    private static int JoinBrokenSpan(CheckpointEntity checkpoint, TimeWindow window, int missing, QuarantineLedger ledger)
    {
        var span = checkpoint.BrokenSpanFrom is { } from && checkpoint.BrokenSpanTo is { } to && from <= window.To && window.From <= to
            ? new TimeWindow(from < window.From ? from : window.From, to > window.To ? to : window.To)
            : (TimeWindow?)null;
        var covered = span is null ? ledger.UnreadOverlapping(window) : checkpoint.BrokenSpanRecords;
        var joined = span ?? window;
        (checkpoint.BrokenSpanFrom, checkpoint.BrokenSpanTo, checkpoint.BrokenSpanRecords) = (joined.From, joined.To, Math.Max(covered, missing));
        return Math.Max(0, missing - covered);
    }

    /// <summary>
    /// Reads again, at most every <see cref="IngestionOptions.UnreadRecheckInterval"/>, the windows earlier runs took as
    /// read with incidents Wallarm counted but never listed. The overlap re-reads a window only in the next few runs, so
    /// a listing broken for longer would otherwise lose those incidents for good. What the pages hold is stored either
    /// way; the unreadable entries are resolved when the window reads whole against the count. Best effort: the run's
    /// windows are done, so a Wallarm failure here is one warning and waits for the next recheck.
    /// </summary>
    private async Task RecheckUnreadAsync(RunState run, CheckpointEntity checkpoint, long startTimestamp, CancellationToken cancellationToken)
    {
        var interval = _options.UnreadRecheckInterval;
        if (interval <= TimeSpan.Zero || checkpoint.UnreadRecheckedAt is { } last && run.StartedAt - last < interval) return;
        var windows = run.Ledger.UnreadWindows(MaxUnreadRechecks);
        if (windows.Count == 0) return;
        checkpoint.UnreadRecheckedAt = run.StartedAt;
        try
        {
            foreach (var window in windows)
            {
                if (time.GetElapsedTime(startTimestamp) >= _options.RunBudget) break;
                var pass = new RecordPass(window);
                await ReadOnePassAsync(wallarm.GetIncidentPagesAsync(run.TenantId, window, cancellationToken), run, pass, cancellationToken).ConfigureAwait(false);
                var expected = await wallarm.CountIncidentsAsync(run.TenantId, window, cancellationToken).ConfigureAwait(false);
                if (pass.Received < expected)
                {
                    IngestionLog.UnreadWindowStillShort(logger, window, pass.Received, expected, interval);
                    continue;
                }

                await run.Ledger.ResolveUnreadWithinAsync(run.RunId, window, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                IngestionLog.UnreadWindowRecovered(logger, window, pass.Received, expected);
            }
        }
        catch (Exception ex) when (ex is WallarmException and not WallarmAuthenticationException or HttpRequestException or TimeoutException or TimeoutRejectedException)
        {
            IngestionLog.UnreadRecheckFailed(logger, FailureText.Describe(ex), interval);
        }
    }

    /// <summary>Two windows covering this one, split at a whole second (the API's filter is in unix seconds).</summary>
    internal static TimeWindow[] Halves(TimeWindow window)
    {
        var middle = DateTimeOffset.FromUnixTimeSeconds((window.From.ToUnixTimeSeconds() + window.To.ToUnixTimeSeconds()) / 2);
        return [new TimeWindow(window.From, middle), new TimeWindow(middle, window.To)];
    }

    /// <summary>
    /// Re-reads by id the stored incidents with a recent last hit that no window of this run returned: under a
    /// first-hit <c>time</c> filter nothing else would bring their new hits, last hit and later days.
    /// </summary>
    private async Task<int> RereadOngoingAsync(IReadOnlyList<OngoingIncident> ongoing, RunState run, bool caughtUp, long startTimestamp, CancellationToken cancellationToken)
    {
        var toRead = ongoing.Where(o => !run.Seen.Contains(o.Id)).ToList();
        if (toRead.Count == 0) return 0;
        if (!caughtUp && time.GetElapsedTime(startTimestamp) >= _options.RunBudget)
        {
            IngestionLog.OngoingRefreshSkipped(logger, toRead.Count);
            return 0;
        }

        // Records set aside here are filed under the days of the horizon: they are recent by definition.
        var pass = new RecordPass(new TimeWindow(run.StartedAt - _options.OngoingHorizon, run.StartedAt));
        var ids = toRead.Select(o => o.Id).ToList();
        var since = toRead.Min(o => o.FirstSeen);
        await ReadOnePassAsync(wallarm.GetIncidentsByIdAsync(run.TenantId, ids, since, cancellationToken), run, pass, cancellationToken).ConfigureAwait(false);
        var missing = ids.Count(id => !pass.Ids.Contains(id) && !pass.Skipped.Contains(id) && !pass.QuarantinedKeys.Contains(id));
        IngestionLog.OngoingRefreshed(logger, toRead.Count, pass.Changed, missing);
        return toRead.Count;
    }

    /// <summary>One pass over <paramref name="source"/>, stored and finished (the re-reads; a window's passes share one writer).</summary>
    private async Task ReadOnePassAsync(IAsyncEnumerable<WallarmAttackPage> source, RunState run, RecordPass pass, CancellationToken cancellationToken)
    {
        await using (var writer = await store.OpenWriterAsync(run.StartedAt, cancellationToken).ConfigureAwait(false))
        {
            await ReadPagesAsync(source, run, pass, writer, cancellationToken).ConfigureAwait(false);
            pass.Rows = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await FinishPassAsync(run, pass, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Security issues, enrichment messages and quarantine resolutions for what a pass stored.</summary>
    private async Task FinishPassAsync(RunState run, RecordPass pass, CancellationToken cancellationToken)
    {
        await vulnerabilities.RefreshAsync(wallarm, run.TenantId, pass.VulnerabilityIds, cancellationToken).ConfigureAwait(false);

        var toSend = new List<EnrichmentSource>(pass.Sources.Count);
        foreach (var source in pass.Sources.Values)
        {
            var refs = source.Incidents.Where(r => run.SentRefs.Add((source.Ip, r.Id, r.Days[^1]))).ToList();
            if (refs.Count > 0) toSend.Add(new EnrichmentSource { Ip = source.Ip, FirstSeen = source.FirstSeen, LastSeen = source.LastSeen, Incidents = refs });
        }

        pass.MessagesSent = await enrichment.SendAsync(run.TenantId, run.RunId, run.StartedAt, toSend, cancellationToken).ConfigureAwait(false);
        pass.SourcesSent = toSend.Count;
        run.Rows += pass.Rows;
        run.Sources += toSend.Count;
        run.Messages += pass.MessagesSent;

        // Only now that their rows are written: a record that was set aside before and came back readable.
        if (pass.Resolvable.Count > 0)
        {
            await run.Ledger.ResolveAsync(run.RunId, pass.Resolvable, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            IngestionLog.QuarantineResolved(logger, pass.Resolvable.Count);
        }
    }

    /// <summary>
    /// Reads pages into <paramref name="writer"/>; the caller flushes it. The next page is fetched and parsed while
    /// this one's rows are mapped and written, so storage never idles between pages.
    /// </summary>
    private async Task ReadPagesAsync(IAsyncEnumerable<WallarmAttackPage> source, RunState run, RecordPass pass, IncidentBatchWriter writer, CancellationToken cancellationToken)
    {
        var rejected = new List<WallarmRejectedRecord>();
        var broken = 0;
        await using (var pages = source.GetAsyncEnumerator(cancellationToken))
        {
            var hasPage = pages.MoveNextAsync().AsTask();
            try
            {
                while (await hasPage.ConfigureAwait(false))
                {
                    var page = pages.Current;
                    pass.Pages++;
                    broken += page.Broken;
                    pass.Broken = Math.Max(pass.Broken, broken);
                    hasPage = pages.MoveNextAsync().AsTask();
                    foreach (var attack in page.Attacks)
                    {
                        if (run.Ledger.IsOpen(attack.Id)) pass.Resolvable.Add(attack.Id);
                        if (attack.VulnId is null)
                        {
                            pass.Skipped.Add(attack.Id);
                            continue;
                        }

                        var incident = IncidentMapper.ToIncident(attack, run.TenantId);
                        pass.Ids.Add(incident.Id);
                        run.Seen.Add(incident.Id);
                        pass.VulnerabilityIds.Add(incident.VulnerabilityId);
                        var fingerprint = Fingerprint(incident);
                        if (run.Written.TryGetValue(incident.Id, out var previous) && previous == fingerprint) continue;
                        run.Written[incident.Id] = fingerprint;
                        pass.Changed++;
                        await writer.AddAsync(incident, cancellationToken).ConfigureAwait(false);
                        AddSources(pass.Sources, incident);
                    }

                    foreach (var reject in page.Rejected) pass.QuarantinedKeys.Add(reject.Key);
                    rejected.AddRange(page.Rejected);
                }
            }
            finally
            {
                // An iterator cannot be disposed with a MoveNext in flight; its fault is already ours.
                try { await hasPage.ConfigureAwait(false); } catch { /* reported by the first failure */ }
            }
        }

        // A record set aside and then read well-formed in this same pass is stored: it is not quarantined again.
        rejected.RemoveAll(r => r.Id is { } id && (pass.Ids.Contains(id) || pass.Skipped.Contains(id)));
        pass.QuarantinedKeys.RemoveWhere(k => pass.Ids.Contains(k) || pass.Skipped.Contains(k));
        await run.Ledger.QuarantineAsync(run.RunId, pass.Window, rejected, run.StartedAt, cancellationToken).ConfigureAwait(false);
    }

    private void AddSources(Dictionary<string, SourceAccumulator> sources, Incident incident)
    {
        IReadOnlyList<string>? days = null;
        foreach (var top in incident.TopIps)
        {
            if (!sources.TryGetValue(top.Ip, out var source))
            {
                sources[top.Ip] = source = new SourceAccumulator(top.Ip, incident.FirstSeen, incident.LastSeen);
            }

            days ??= store.DaysOf(incident).Select(ReportCalendar.IsoDay).ToList();
            source.Add(incident, days);
        }
    }

    private static int Fingerprint(Incident i)
    {
        var hash = new HashCode();
        hash.Add(i.LastSeen);
        hash.Add(i.FirstSeen);
        hash.Add(i.Hits);
        hash.Add(i.IpCount);
        hash.Add(i.BlockStatus);
        hash.Add(i.State);
        hash.Add(i.VulnerabilityId);
        hash.Add(i.TopIps.Count);
        hash.Add(i.TopIps.Count > 0 ? i.TopIps[0].Ip : null);
        hash.Add(i.ReadNotes);
        return hash.ToHashCode();
    }

    /// <summary>Records what this run's windows showed about the <c>time</c> filter; logs only when that changes.</summary>
    private void NoteTimeFilter(CheckpointEntity checkpoint, TimeFilterEvidence evidence, TimeWindow? firstWindow)
    {
        var seen = evidence.Conclusion;
        if (seen is null)
        {
            if (evidence.Matched > 0 && evidence.Missed > 0 && firstWindow is { } window)
            {
                IngestionLog.TimeFilterMixed(logger, window, evidence.Matched, evidence.Missed, checkpoint.TimeFilter ?? "unknown");
            }

            return;
        }

        if (seen != checkpoint.TimeFilter) IngestionLog.TimeFilterDetected(logger, seen, checkpoint.TimeFilter ?? "unknown");
        checkpoint.TimeFilter = seen;
        checkpoint.TimeFilterSeenAt = time.GetUtcNow();
    }

    /// <summary>Turns a 403 into a wrong-tenant error when the token turns out valid for another tenant.</summary>
    private async Task<Exception> ExplainAsync(WallarmAuthenticationException forbidden)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await tenant.ExplainForbiddenAsync(wallarm, forbidden, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return forbidden;
        }
    }

    /// <summary>Records how a run that threw ended: failed (with the reason and the setting to fix) or stopped.</summary>
    private async Task RecordEndAsync(long? tenantId, CheckpointEntity? checkpoint, PullRunEntity lastRun, string outcome, string? reason, string? setting)
    {
        var now = time.GetUtcNow();
        // Not the run's token: a cancelled run should still leave its outcome visible. Recording is best effort: the
        // original failure is what matters, and storage may be what failed.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (tenantId is { } id && checkpoint is not null)
        {
            checkpoint.LastOutcome = outcome;
            checkpoint.LastError = reason;
            checkpoint.LastErrorSetting = setting;
            checkpoint.LastRunFinishedAt = now;
            try
            {
                await checkpoints.SaveAsync(id, checkpoint, cts.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // See above.
            }
        }

        lastRun.Outcome = outcome;
        lastRun.Error = reason;
        lastRun.ErrorSetting = setting;
        lastRun.FinishedAt = now;
        try
        {
            await checkpoints.SaveLastRunAsync(lastRun, cts.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // See above.
        }
    }

    /// <summary>What one run has done so far, across its windows and the re-read.</summary>
    private sealed class RunState(long tenantId, string runId, DateTimeOffset startedAt, QuarantineLedger ledger)
    {
        public long TenantId { get; } = tenantId;

        public string RunId { get; } = runId;

        /// <summary>The run's start: the pull time written on rows and messages.</summary>
        public DateTimeOffset StartedAt { get; } = startedAt;

        public QuarantineLedger Ledger { get; } = ledger;

        /// <summary>Fingerprint of the version of each incident written by this run: an unchanged re-read is not written again.</summary>
        public Dictionary<string, int> Written { get; } = new(StringComparer.Ordinal);

        /// <summary>Incidents any window of this run returned.</summary>
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public HashSet<(string Ip, string IncidentId, string LastDay)> SentRefs { get; } = [];

        /// <summary>Distinct incidents this run saw (an incident active across windows counts once).</summary>
        public int Incidents => Written.Count;

        public int Rows { get; set; }

        public int Sources { get; set; }

        public int Messages { get; set; }
    }

    private sealed class SourceAccumulator(string ip, DateTimeOffset firstSeen, DateTimeOffset lastSeen)
    {
        public string Ip { get; } = ip;

        public DateTimeOffset FirstSeen { get; private set; } = firstSeen;

        public DateTimeOffset LastSeen { get; private set; } = lastSeen;

        public List<EnrichmentIncidentRef> Incidents { get; } = [];

        public void Add(Incident incident, IReadOnlyList<string> days)
        {
            if (incident.FirstSeen < FirstSeen) FirstSeen = incident.FirstSeen;
            if (incident.LastSeen > LastSeen) LastSeen = incident.LastSeen;
            Incidents.Add(new EnrichmentIncidentRef { Id = incident.Id, Days = days });
        }
    }

    /// <summary>What the passes over one window (or the re-read by id) received.</summary>
    private sealed class RecordPass(TimeWindow window)
    {
        /// <summary>The window records set aside here are filed under.</summary>
        public TimeWindow Window { get; } = window;

        /// <summary>Incidents read.</summary>
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        /// <summary>Readable records without a <c>vulnid</c> (not incidents), by id.</summary>
        public HashSet<string> Skipped { get; } = new(StringComparer.Ordinal);

        /// <summary>Records set aside, by id or fingerprint.</summary>
        public HashSet<string> QuarantinedKeys { get; } = new(StringComparer.Ordinal);

        /// <summary>Records read well-formed whose earlier copy is in the quarantine.</summary>
        public HashSet<string> Resolvable { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SourceAccumulator> Sources { get; } = new(StringComparer.Ordinal);

        public HashSet<long> VulnerabilityIds { get; } = [];

        /// <summary>Pages read over all passes.</summary>
        public int Pages { get; set; }

        /// <summary>The most records one pass over the pages found listed but unreadable (every answer holding them broke).</summary>
        public int Broken { get; set; }

        /// <summary>Taken as read although short of Wallarm's count (the missing filed as unread).</summary>
        public bool AcceptedShort { get; set; }

        public int Rows { get; set; }

        /// <summary>Incidents written (new or changed) by this pass.</summary>
        public int Changed { get; set; }

        public int SourcesSent { get; set; }

        public int MessagesSent { get; set; }

        /// <summary>Distinct records read, readable or not: what Wallarm's count is compared with.</summary>
        public int Received
        {
            get
            {
                var extra = Skipped.Count(id => !Ids.Contains(id)) + QuarantinedKeys.Count(k => !Ids.Contains(k) && !Skipped.Contains(k));
                return Ids.Count + extra;
            }
        }
    }

    /// <summary>
    /// Stored incidents that started before a window and whose last known hit lies inside it: a span-overlap filter
    /// returns them, a first-hit filter does not.
    /// </summary>
    private sealed class TimeFilterEvidence
    {
        public int Matched { get; private set; }

        public int Missed { get; private set; }

        public string? Conclusion => (Matched, Missed) switch
        {
            ( > 0, 0) => TimeFilterMatch.Overlap,
            (0, > 0) => TimeFilterMatch.FirstHit,
            _ => null,
        };

        public void Add(TimeWindow window, RecordPass pass, IReadOnlyList<OngoingIncident> stored)
        {
            foreach (var incident in stored)
            {
                if (incident.FirstSeen >= window.From || incident.LastSeen < window.From || incident.LastSeen > window.To) continue;
                // Returned counts however it came: a record now set aside was still matched by the filter.
                if (pass.Ids.Contains(incident.Id) || pass.QuarantinedKeys.Contains(incident.Id) || pass.Skipped.Contains(incident.Id)) Matched++;
                else Missed++;
            }
        }
    }
}
