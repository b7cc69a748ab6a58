using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Incidents;

public enum PullOutcome
{
    /// <summary>Every window up to the run's start was pulled.</summary>
    Succeeded,

    /// <summary>The run budget ran out; the checkpoint marks where the next run resumes.</summary>
    Partial,
}

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
    TimeSpan Elapsed);

/// <summary>
/// The <c>PullIncidents</c> job: pulls incidents active since the checkpoint (minus the overlap) window by window,
/// stores them, queues their source IPs for enrichment, logs the window as covered and only then moves the
/// checkpoint. A crash anywhere repeats at most one window, and every step of a window is idempotent.
/// </summary>
public sealed class IncidentPuller(
    WallarmClient wallarm,
    WallarmTenant tenant,
    IncidentStore store,
    CheckpointStore checkpoints,
    CoverageLog coverage,
    VulnerabilityCatalog vulnerabilities,
    EnrichmentPublisher enrichment,
    ReportCalendar calendar,
    TimeProvider time,
    IOptions<IngestionOptions> options,
    IOptions<WallarmOptions> wallarmOptions,
    ILogger<IncidentPuller> logger)
{
    private const int MaxStoredErrorChars = 2_000;
    private const int MaxPagesInFlight = 2;
    private readonly IngestionOptions _options = options.Value;

    public async Task<PullResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var startedAt = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        var runId = startedAt.ToString("yyyyMMddTHHmmssfffZ", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var checkpoint = await checkpoints.GetAsync(tenantId, cancellationToken).ConfigureAwait(false) ?? new CheckpointEntity();

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

        var run = new RunState();
        var pulled = 0;
        try
        {
            foreach (var window in windows)
            {
                var elapsed = time.GetElapsedTime(startTimestamp);
                if (pulled > 0 && elapsed >= _options.RunBudget)
                {
                    IngestionLog.BudgetExhausted(logger, runId, elapsed, _options.RunBudget, windows.Count - pulled);
                    break;
                }

                var stats = await PullWindowAsync(tenantId, runId, window, startedAt, run, cancellationToken).ConfigureAwait(false);
                await coverage.RecordAsync(tenantId, window, runId, stats.Incidents, startedAt, cancellationToken).ConfigureAwait(false);
                checkpoint.PulledUntil = window.To;
                checkpoint.IncidentsWritten += stats.Incidents;
                await checkpoints.SaveAsync(tenantId, checkpoint, cancellationToken).ConfigureAwait(false);
                pulled++;
            }
        }
        catch (Exception ex) when (ex is not CheckpointConflictException)
        {
            IngestionLog.RunFailed(logger, ex, runId, checkpoint.PulledUntil);
            await RecordFailureAsync(tenantId, checkpoint, ex).ConfigureAwait(false);
            throw;
        }

        var outcome = pulled < windows.Count ? PullOutcome.Partial : PullOutcome.Succeeded;
        checkpoint.LastOutcome = outcome.ToString();
        checkpoint.LastError = null;
        checkpoint.LastRunFinishedAt = time.GetUtcNow();
        checkpoint.LastSuccessAt = checkpoint.LastRunFinishedAt;
        await checkpoints.SaveAsync(tenantId, checkpoint, cancellationToken).ConfigureAwait(false);

        IngestionLog.RunFinished(logger, runId, outcome, run.Incidents, pulled, checkpoint.PulledUntil);
        return new PullResult(runId, tenantId, outcome, pulled, windows.Count - pulled, run.Incidents, run.Rows, run.Sources, run.Messages,
            checkpoint.PulledUntil, time.GetElapsedTime(startTimestamp));
    }

    private async Task<WindowStats> PullWindowAsync(long tenantId, string runId, TimeWindow window, DateTimeOffset pulledAt, RunState run, CancellationToken cancellationToken)
    {
        // Counted before paging: incidents appearing meanwhile can only add to what the pages hold.
        var expected = wallarmOptions.Value.VerifyCounts ? await wallarm.CountIncidentsAsync(tenantId, window, cancellationToken).ConfigureAwait(false) : -1;

        var pass = new WindowPass();
        await PageWindowAsync(tenantId, window, pulledAt, run, pass, cancellationToken).ConfigureAwait(false);
        if (expected >= 0 && pass.Received < expected)
        {
            // With offset paging, an incident updated mid-read jumps to the first page (order is by last hit) and a
            // glitching API may return a short page; one more pass over the window usually closes the gap.
            IngestionLog.WindowShort(logger, window, expected, pass.Received);
            await PageWindowAsync(tenantId, window, pulledAt, run, pass, cancellationToken).ConfigureAwait(false);
        }

        if (pass.Skipped > 0) IngestionLog.NonIncidentsSkipped(logger, pass.Skipped);
        if (expected >= 0 && pass.Received < expected)
        {
            throw new WallarmMalformedResponseException(
                $"Wallarm counted {expected} incident(s) in window {window} but two passes over its pages held {pass.Received}: a page came back short or empty. The checkpoint was not moved.");
        }

        await RefreshVulnerabilitiesAsync(tenantId, pass.VulnerabilityIds, cancellationToken).ConfigureAwait(false);

        var toSend = new List<EnrichmentSource>(pass.Sources.Count);
        foreach (var source in pass.Sources.Values)
        {
            var refs = source.Incidents.Where(r => run.SentRefs.Add((source.Ip, r.Id, r.Days[^1]))).ToList();
            if (refs.Count > 0) toSend.Add(new EnrichmentSource { Ip = source.Ip, FirstSeen = source.FirstSeen, LastSeen = source.LastSeen, Incidents = refs });
        }

        var messages = await enrichment.SendAsync(tenantId, runId, pulledAt, toSend, cancellationToken).ConfigureAwait(false);
        run.Rows += pass.Rows;
        run.Sources += toSend.Count;
        run.Messages += messages;
        IngestionLog.WindowPulled(logger, window, pass.Ids.Count, pass.Rows, toSend.Count, messages);
        return new WindowStats(pass.Ids.Count);
    }

    private async Task PageWindowAsync(long tenantId, TimeWindow window, DateTimeOffset pulledAt, RunState run, WindowPass pass, CancellationToken cancellationToken)
    {
        await using var pages = wallarm.GetIncidentPagesAsync(tenantId, window, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var hasPage = pages.MoveNextAsync().AsTask();
        // Pages are written while the next ones are fetched and mapped, so storage never idles between pages.
        var writes = new Queue<(Task<int> Task, HashSet<string> Ids)>();
        try
        {
            while (await hasPage.ConfigureAwait(false))
            {
                var batch = new List<Incident>(pages.Current.Attacks.Count);
                foreach (var attack in pages.Current.Attacks)
                {
                    if (attack.VulnId is null)
                    {
                        pass.Skipped++;
                        continue;
                    }

                    var incident = IncidentMapper.ToIncident(attack, tenantId);
                    pass.Ids.Add(incident.Id);
                    pass.VulnerabilityIds.Add(incident.VulnerabilityId);
                    var fingerprint = Fingerprint(incident);
                    if (run.Written.TryGetValue(incident.Id, out var previous) && previous == fingerprint) continue;
                    run.Written[incident.Id] = fingerprint;
                    batch.Add(incident);
                    AddSources(pass.Sources, incident);
                }

                hasPage = pages.MoveNextAsync().AsTask();
                if (batch.Count == 0) continue;

                // A bounded number of pages in flight, and never two versions of one incident at once: the later must land last.
                while (writes.Count > 0 && (writes.Count >= MaxPagesInFlight || writes.Any(w => batch.Exists(i => w.Ids.Contains(i.Id)))))
                {
                    pass.Rows += await writes.Dequeue().Task.ConfigureAwait(false);
                }

                writes.Enqueue((store.UpsertAsync(batch, pulledAt, cancellationToken), batch.Select(i => i.Id).ToHashSet(StringComparer.Ordinal)));
            }

            while (writes.Count > 0) pass.Rows += await writes.Dequeue().Task.ConfigureAwait(false);
        }
        finally
        {
            // An iterator cannot be disposed with a MoveNext in flight, nor a write left unobserved; their faults are already ours.
            try { await hasPage.ConfigureAwait(false); } catch { /* reported by the first failure */ }
            foreach (var write in writes)
            {
                try { await write.Task.ConfigureAwait(false); } catch { /* reported by the first failure */ }
            }
        }
    }

    private async Task RefreshVulnerabilitiesAsync(long tenantId, HashSet<long> ids, CancellationToken cancellationToken)
    {
        try
        {
            await vulnerabilities.RefreshAsync(wallarm, tenantId, ids, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WallarmApiException or WallarmMalformedResponseException or HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException)
        {
            // Security-issue details decorate incidents; missing them must not hold incidents back. Next run retries.
            IngestionLog.VulnerabilityRefreshFailed(logger, ex, ids.Count);
        }
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
        => HashCode.Combine(i.LastSeen, i.Hits, i.IpCount, i.BlockStatus, i.State, i.VulnerabilityId, i.TopIps.Count, i.TopIps.Count > 0 ? i.TopIps[0].Ip : null);

    private async Task RecordFailureAsync(long tenantId, CheckpointEntity checkpoint, Exception error)
    {
        checkpoint.LastOutcome = CheckpointEntity.FailedOutcome;
        checkpoint.LastError = StoredText.Bound($"{error.GetType().Name}: {error.Message}", MaxStoredErrorChars);
        checkpoint.LastRunFinishedAt = time.GetUtcNow();
        try
        {
            // Not the run's token: a cancelled run should still leave its failure visible.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await checkpoints.SaveAsync(tenantId, checkpoint, cts.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The original failure is what matters; recording it is best effort.
        }
    }

    private sealed class RunState
    {
        public Dictionary<string, int> Written { get; } = new(StringComparer.Ordinal);

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

    private readonly record struct WindowStats(int Incidents);

    /// <summary>What the passes over one window received.</summary>
    private sealed class WindowPass
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SourceAccumulator> Sources { get; } = new(StringComparer.Ordinal);

        public HashSet<long> VulnerabilityIds { get; } = [];

        public int Rows { get; set; }

        public int Skipped { get; set; }

        public int Received => Ids.Count + Skipped;
    }
}
