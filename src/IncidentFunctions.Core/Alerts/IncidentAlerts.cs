using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Alerts;

/// <summary>Recorded but not delivered on one channel.</summary>
/// <param name="Alerts">Single alerts a later run still sends.</param>
/// <param name="Rollups">Roll-ups collecting or not delivered yet.</param>
/// <param name="OldestRecordedAt">When the oldest of those alerts was recorded.</param>
public sealed record AlertBacklog(int Alerts, int Rollups, DateTimeOffset? OldestRecordedAt);

/// <summary>
/// Real-time alerts (optional, <c>Digest:Alerts:Enabled</c>). After enrichment, each incident that is new
/// (<see cref="AlertCandidates"/>) and not alerted before on a channel with <c>Alerts</c> set is recorded in the
/// <see cref="AlertLedger"/> — as a single alert, or for the interval's roll-up once the interval has its
/// <see cref="AlertOptions.MaxPerInterval"/> (<see cref="AlertRollupPolicy"/>) — and the single alerts are posted at once
/// (<see cref="AlertPoster"/>), each channel on its own. The <c>SendAlerts</c> timer (every minute) posts the roll-up
/// of every interval that has ended, and sends again what was recorded but not delivered: alerts a stopped run left
/// behind, alerts the channel refused or did not take, and — to Generic receivers only, under the same delivery id —
/// alerts that may have been posted. An alert still undelivered an interval after its first attempt goes into the
/// current roll-up; anything undelivered after <see cref="AlertOptions.MaxAge"/> is given up with an error log.
/// </summary>
public sealed class IncidentAlerts(
    AlertCandidates candidates,
    AlertLedger ledger,
    AlertRollupPolicy policy,
    AlertPoster poster,
    ChannelHealth health,
    WallarmTenant tenant,
    WallarmClient wallarm,
    ReportCalendar calendar,
    IOptions<AlertOptions> options,
    IOptions<DeliveryOptions> delivery,
    IOptions<ReportOptions> reports,
    TimeProvider time,
    ILogger<IncidentAlerts> logger)
{
    /// <summary>A Pending alert younger than this belongs to the run that recorded it and is about to post it.</summary>
    internal static readonly TimeSpan RecordingRunGrace = TimeSpan.FromMinutes(1);

    private const string StoppedRun = "the posting run stopped before recording the answer";

    public bool Enabled => ChannelsForAlerts().Any();

    /// <summary>
    /// Call after enrichment stored the profiles of <paramref name="incidents"/>' sources (e.g. with
    /// <c>request.Sources.SelectMany(s =&gt; s.Incidents)</c>). Safe to call again for the same incidents.
    /// Returns the number of single alerts posted.
    /// </summary>
    public async Task<int> NotifyEnrichedAsync(long tenantId, IEnumerable<EnrichmentIncidentRef> incidents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        var channels = ChannelsForAlerts().ToList();
        if (channels.Count == 0) return 0;

        var now = time.GetUtcNow();
        var (fresh, seen) = await candidates.FindAsync(tenantId, incidents, now, cancellationToken).ConfigureAwait(false);
        if (fresh.Count == 0)
        {
            if (seen > 0) AlertsLog.AlertsProcessed(logger, 0, seen, 0, 0);
            return 0;
        }

        var results = await Task.WhenAll(channels.Select(c => NotifyChannelAsync(tenantId, c, fresh, now, cancellationToken))).ConfigureAwait(false);
        var (claimed, sent, rolledUp) = (results.Max(r => r.Claimed), results.Sum(r => r.Sent), results.Sum(r => r.RolledUp));
        AlertsLog.AlertsProcessed(logger, claimed, seen, sent, rolledUp);
        return sent;
    }

    /// <summary>
    /// The <c>SendAlerts</c> timer job: posts the roll-up of every interval that has ended, and everything recorded but
    /// not delivered that a later run owes (see the class summary). Returns the number of messages delivered.
    /// </summary>
    public async Task<int> DeliverPendingAsync(CancellationToken cancellationToken = default)
    {
        var channels = ChannelsForAlerts().ToList();
        if (channels.Count == 0) return 0;
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var delivered = await Task.WhenAll(channels.Select(c => DeliverChannelPendingAsync(tenantId, c, cancellationToken))).ConfigureAwait(false);
        return delivered.Sum();
    }

    /// <summary>
    /// What the ledger holds for <paramref name="channel"/> that is recorded but not delivered (yet): single alerts a
    /// later run still sends, and roll-ups not delivered — for the status route.
    /// </summary>
    public async Task<AlertBacklog> GetBacklogAsync(ChannelOptions channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var alerts = 0;
        var rollups = 0;
        DateTimeOffset? oldest = null;
        foreach (var interval in await ledger.GetOpenIntervalsAsync(tenantId, channel.Name, now - policy.LookBack, now, cancellationToken).ConfigureAwait(false))
        {
            foreach (var key in AlertLedger.ReadKeys(interval.UndeliveredJson))
            {
                if (await ledger.GetClaimAsync(tenantId, channel.Name, key, cancellationToken).ConfigureAwait(false) is not { } claim) continue;
                if (!AlertRollupPolicy.Repeats(claim.ReadState(), channel.Kind)) continue;
                alerts++;
                oldest = oldest is { } o && o < claim.ClaimedAt ? o : claim.ClaimedAt;
            }

            if (interval.Pending > 0 && interval.ReadRollupState() is var state && (state == AlertState.Pending || AlertRollupPolicy.Repeats(state, channel.Kind)))
            {
                rollups++;
            }
        }

        return new AlertBacklog(alerts, rollups, oldest);
    }

    private async Task<(int Claimed, int Sent, int RolledUp)> NotifyChannelAsync(long tenantId, ChannelOptions channel, IReadOnlyList<AlertCandidate> fresh, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
        if (!state.Enabled)
        {
            ChannelsLog.ChannelSkipped(logger, channel.Name, state.DisabledAt, state.DisabledReason, delivery.Value.Channels.IndexOf(channel), state.Generation + 1);
            return (0, 0, 0);
        }

        var claims = await ledger.ClaimAsync(tenantId, channel, fresh, policy, now, cancellationToken).ConfigureAwait(false);
        var sent = 0;
        for (var i = 0; i < claims.Singles.Count; i++)
        {
            var result = await DeliverSingleAsync(channel, claims.Singles[i], cancellationToken).ConfigureAwait(false);
            if (result == DeliveryResult.Delivered)
            {
                sent++;
            }
            else if (result is not null)
            {
                // The channel is not taking posts now: the rest wait (recorded) for the timer instead of each waiting out the timeouts here.
                if (i + 1 < claims.Singles.Count) AlertsLog.AlertsWaiting(logger, claims.Singles.Count - i - 1, channel.Name);
                break;
            }
        }

        return (claims.Singles.Count + claims.RolledUp, sent, claims.RolledUp);
    }

    private async Task<int> DeliverChannelPendingAsync(long tenantId, ChannelOptions channel, CancellationToken cancellationToken)
    {
        var state = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
        if (!state.Enabled) return 0; // the digest run logs the disabled channel; its alerts wait until it is re-enabled

        var now = time.GetUtcNow();
        var intervals = await ledger.GetOpenIntervalsAsync(tenantId, channel.Name, now - policy.LookBack, now, cancellationToken).ConfigureAwait(false);
        var delivered = 0;
        var down = false;
        foreach (var interval in intervals)
        {
            var settled = new List<string>();
            foreach (var key in AlertLedger.ReadKeys(interval.UndeliveredJson))
            {
                var claim = await ledger.GetClaimAsync(tenantId, channel.Name, key, cancellationToken).ConfigureAwait(false);
                var (result, isSettled) = claim is null ? (null, true) : await RetrySingleAsync(tenantId, channel, claim, down, cancellationToken).ConfigureAwait(false);
                if (isSettled) settled.Add(key);
                if (result == DeliveryResult.Delivered) delivered++;
                else if (result is not null) down = true;
            }

            await ledger.SettleAsync(tenantId, channel, interval.IntervalStart, settled, policy, cancellationToken).ConfigureAwait(false);
            var rollup = await RetryRollupAsync(tenantId, channel, interval.IntervalStart, down, cancellationToken).ConfigureAwait(false);
            if (rollup == DeliveryResult.Delivered) delivered++;
            else if (rollup is not null) down = true;
        }

        return delivered;
    }

    /// <summary>One recorded single alert a timer run finds unsettled. Returns the post's result (null: not posted now) and whether it is settled.</summary>
    private async Task<(DeliveryResult? Result, bool Settled)> RetrySingleAsync(long tenantId, ChannelOptions channel, AlertClaimEntity claim, bool channelDown, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = claim.ReadState();
        switch (state)
        {
            case AlertState.Attempting when claim.LeaseUntil > now:
                return (null, false); // a live run is posting it
            case AlertState.Pending when now - claim.ClaimedAt < RecordingRunGrace:
                return (null, false); // the run that recorded it is about to post it
            case AlertState.Attempting when channel.Kind != ChannelKind.Generic:
                // It may be in the channel: a chat post is not repeated, the loss is logged.
                if (!await ledger.EndAsync(claim, AlertState.Unknown, StoppedRun, now, cancellationToken).ConfigureAwait(false)) return (null, false);
                ChannelsLog.DeliveryUnknown(logger, "Alert", channel.Name, channel.Kind, claim.DeliveryId ?? "", StoppedRun, AlertPoster.DigestListsThem);
                return (null, true);
            case AlertState.Attempting:
                ChannelsLog.StoppedRunRepeated(logger, "Alert", channel.Name, claim.DeliveryId ?? "", claim.StartedAt ?? claim.ClaimedAt);
                break;
            case AlertState.Pending:
                AlertsLog.RecordedNotPosted(logger, channel.Name, claim.DeliveryId, claim.ClaimedAt);
                break;
            default:
                if (!AlertRollupPolicy.Repeats(state, channel.Kind)) return (null, true); // delivered, given up, folded, or a chat post that may be there
                break;
        }

        if (policy.IsTooOld(claim.ClaimedAt, now))
        {
            if (!await ledger.EndAsync(claim, AlertState.Expired, "not delivered within Digest:Alerts:MaxAge", now, cancellationToken).ConfigureAwait(false)) return (null, false);
            AlertsLog.AlertExpired(logger, channel.Name, channel.Kind, claim.DeliveryId, claim.ClaimedAt, options.Value.MaxAge, claim.Error);
            return (null, true);
        }

        if (now >= policy.RetryAsSingleUntil(claim))
        {
            var into = policy.IntervalOf(now).From;
            var error = claim.Error;
            // The fold takes it out of its interval's index in the same transaction.
            if (await ledger.FoldAsync(tenantId, channel, claim, policy, now, cancellationToken).ConfigureAwait(false))
            {
                AlertsLog.AlertFolded(logger, channel.Name, claim.DeliveryId, claim.FirstAttemptAt ?? claim.ClaimedAt, error, into);
            }

            return (null, false);
        }

        if (channelDown) return (null, false);
        var result = await DeliverSingleAsync(channel, claim, cancellationToken).ConfigureAwait(false);
        var settled = result == DeliveryResult.Delivered || (result == DeliveryResult.Unknown && !AlertRollupPolicy.Repeats(AlertState.Unknown, channel.Kind));
        return (result, settled);
    }

    /// <summary>Posts one recorded single alert under the ledger. Null when another run holds or changed it.</summary>
    private async Task<DeliveryResult?> DeliverSingleAsync(ChannelOptions channel, AlertClaimEntity claim, CancellationToken cancellationToken)
    {
        if (AlertLedger.ReadSummary(claim) is not { } summary || claim.DeliveryId is null)
        {
            const string Unreadable = "the recorded alert could not be read";
            if (await ledger.EndAsync(claim, AlertState.Expired, Unreadable, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                AlertsLog.AlertUnreadable(logger, channel.Name, claim.RowKey, claim.ClaimedAt);
            }

            return null;
        }

        if (!await ledger.TryBeginAsync(claim, delivery.Value.DeliveryLease, time.GetUtcNow(), cancellationToken).ConfigureAwait(false)) return null;
        // Composed when it was recorded, so a repeated delivery carries the same body under the same id.
        var message = new AlertMessage { TimeZone = calendar.ZoneId, GeneratedAt = claim.ClaimedAt, Incidents = [summary], Marking = ReportMarking.Of(reports.Value) };
        var until = policy.RetryAsSingleUntil(claim);
        var next = string.Create(CultureInfo.InvariantCulture, $"a later alerts run tries again until {until:yyyy-MM-dd HH:mm:ss} UTC, then it goes into the roll-up of that time");
        var outcome = await poster.PostAsync(channel, message, claim.DeliveryId, next, cancellationToken).ConfigureAwait(false);
        await ledger.CompleteAsync(claim, outcome, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return outcome.Result;
    }

    /// <summary>The roll-up of one interval, when it is due and owed. Null when nothing was posted now.</summary>
    private async Task<DeliveryResult?> RetryRollupAsync(long tenantId, ChannelOptions channel, DateTimeOffset intervalStart, bool channelDown, CancellationToken cancellationToken)
    {
        var row = await ledger.GetIntervalAsync(tenantId, channel.Name, intervalStart, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (row is null || !AlertRollupPolicy.RollupDue(row, now)) return null;
        var deliveryId = AlertDeliveryIds.Rollup(tenantId, channel.Name, row.IntervalStart);
        var state = row.ReadRollupState();
        switch (state)
        {
            case AlertState.Attempting when row.RollupLeaseUntil > now:
                return null;
            case AlertState.Attempting when channel.Kind != ChannelKind.Generic:
                if (await ledger.EndRollupAsync(row, channel.Kind, policy, AlertState.Unknown, StoppedRun, now, cancellationToken).ConfigureAwait(false))
                {
                    ChannelsLog.DeliveryUnknown(logger, "Alert roll-up", channel.Name, channel.Kind, deliveryId, StoppedRun, AlertPoster.DigestListsThem);
                }

                return null;
            case AlertState.Attempting:
                ChannelsLog.StoppedRunRepeated(logger, "Alert roll-up", channel.Name, deliveryId, row.RollupStartedAt ?? row.IntervalEnd);
                break;
            case AlertState.Pending:
                break;
            default:
                if (!AlertRollupPolicy.Repeats(state, channel.Kind)) return null;
                break;
        }

        if (policy.IsTooOld(row.IntervalEnd, now))
        {
            if (await ledger.EndRollupAsync(row, channel.Kind, policy, AlertState.Expired, "not delivered within Digest:Alerts:MaxAge", now, cancellationToken).ConfigureAwait(false))
            {
                AlertsLog.RollupExpired(logger, row.Pending, channel.Name, channel.Kind, deliveryId, row.IntervalStart, row.IntervalEnd, options.Value.MaxAge, row.RollupError);
            }

            return null;
        }

        if (channelDown) return null;
        var claimed = await ledger.TryBeginRollupAsync(row, delivery.Value.DeliveryLease, now, cancellationToken).ConfigureAwait(false);
        if (claimed is null) return null;
        var listed = AlertLedger.ReadPending(claimed.PendingJson);
        var message = new AlertMessage
        {
            TimeZone = calendar.ZoneId,
            GeneratedAt = claimed.IntervalEnd,
            Incidents = listed,
            NotListed = Math.Max(0, claimed.Pending - listed.Count),
            RollupInterval = new TimeWindow(claimed.IntervalStart, claimed.IntervalEnd),
            Marking = ReportMarking.Of(reports.Value),
        };
        var outcome = await poster.PostAsync(channel, message, deliveryId, "a later alerts run tries again", cancellationToken).ConfigureAwait(false);
        await ledger.CompleteRollupAsync(claimed, channel.Kind, policy, outcome, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return outcome.Result;
    }

    private IEnumerable<ChannelOptions> ChannelsForAlerts() => options.Value.Enabled ? delivery.Value.ChannelsForAlerts() : [];
}
