using System.Text;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>What one digest run did, per period (day, week, month) and channel.</summary>
public sealed record DigestRunResult(IReadOnlyList<DigestDelivery> Deliveries)
{
    public static DigestRunResult Empty { get; } = new([]);

    public int Count(DigestDeliveryStatus status) => Deliveries.Count(d => d.Status == status);
}

public enum DigestDeliveryStatus
{
    Delivered,
    Failed,
    Unknown,
    AlreadyDelivered,
    InProgressElsewhere,
    ChannelDisabled,
    Expired,
}

public sealed record DigestDelivery(ReportPeriod Period, string Channel, DigestDeliveryStatus Status, string? DeliveryId, string? Error)
{
    /// <summary>The report day of a daily digest (the first day of a week or month).</summary>
    public LocalDate Day => Period.First;
}

/// <summary>A run delivered nothing to some channel it should have: the function invocation fails visibly; the next run retries.</summary>
public sealed class DigestDeliveryException(string message) : Exception(message);

/// <summary>
/// The <c>SendDailyDigest</c> job. Each run (every few minutes, UTC) finds the report days whose digest is due in the
/// report zone (<see cref="DigestSchedule"/>), oldest first within <see cref="DigestOptions.CatchUpDays"/>, and for
/// each day that some enabled channel still lacks: generates and stores the PDF, composes the message once, renders
/// it per platform and posts it under the delivery ledger: at most once per day and channel to Slack, Teams and
/// Discord, at least once under one delivery id to a Generic receiver. Channels are delivered concurrently, each
/// within its own timeouts, so a receiver that hangs does not hold up the others.
/// Channels that opt in (<c>Weekly</c>, <c>Monthly</c>) get the digest of each ISO week and calendar month the same way:
/// due at the send time on the day after the period, caught up on and expired by the same rules, under the same ledger,
/// with the period's trends and a signed link to its PDF.
/// A channel gets no backlog from before it was first seen: its first digest is the first one due after that (the
/// preview shows one at once). Days it was owed and missed (failed, outage) are caught up on, also after re-enabling.
/// </summary>
public sealed class DigestSender(
    DigestSchedule schedule,
    DeliveryLedger ledger,
    ChannelHealth health,
    DigestComposer composer,
    DigestReportPublisher reports,
    ChatWebhookClient client,
    EmailClient email,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IOptions<DigestOptions> options,
    IOptions<DeliveryOptions> delivery,
    TimeProvider time,
    ILogger<DigestSender> logger)
{
    /// <summary>How far behind the catch-up window a missed day is still recorded as expired.</summary>
    internal const int ExpiryLookbackDays = 14;

    private readonly DigestOptions _options = options.Value;
    private readonly DeliveryOptions _delivery = delivery.Value;

    private static readonly PeriodKind[] Kinds = [PeriodKind.Day, PeriodKind.Week, PeriodKind.Month];

    public async Task<DigestRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var byKind = Kinds.Select(kind => (Kind: kind, Channels: _delivery.ChannelsForDigest(kind).ToList())).Where(k => k.Channels.Count > 0).ToList();
        if (byKind.Count == 0)
        {
            DigestLog.NoChannels(logger);
            return DigestRunResult.Empty;
        }

        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var states = new Dictionary<string, ChannelState>(StringComparer.Ordinal);
        foreach (var channel in byKind.SelectMany(k => k.Channels).Distinct())
        {
            states[channel.Name] = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
        }

        var results = new List<DigestDelivery>();
        foreach (var (kind, channels) in byKind)
        {
            results.AddRange(await RunKindAsync(tenantId, kind, channels, states, now, cancellationToken).ConfigureAwait(false));
        }

        var result = new DigestRunResult(results);
        var delivered = result.Count(DigestDeliveryStatus.Delivered);
        var failedCount = result.Count(DigestDeliveryStatus.Failed);
        var unknown = result.Count(DigestDeliveryStatus.Unknown);
        DigestLog.RunFinished(logger, delivered, failedCount, unknown, results.Count - delivered - failedCount - unknown);
        var failed = results.Where(r => r.Status == DigestDeliveryStatus.Failed).ToList();
        if (failed.Count > 0)
        {
            throw new DigestDeliveryException($"The digest could not be delivered to {string.Join(", ", failed.Select(f => $"'{f.Channel}' ({f.Period.Key})"))}; the next run tries again. See the SendDailyDigest log and the digest/status route.");
        }

        return result;
    }

    /// <summary>The due digests of one kind (days, weeks or months) to the channels that receive it.</summary>
    private async Task<List<DigestDelivery>> RunKindAsync(long tenantId, PeriodKind kind, List<ChannelOptions> channels, Dictionary<string, ChannelState> states, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One read of the ledger for the run: the periods to expire and the periods due (claims re-check each row).
        var due = schedule.DuePeriods(kind, now);
        var expired = schedule.ExpiredPeriods(kind, now, ExpiryLookback(kind));
        var ledgerRows = await ledger.GetAsync(tenantId, [.. expired, .. due], cancellationToken).ConfigureAwait(false);
        var results = new List<DigestDelivery>();
        await ExpireAsync(tenantId, channels, states, expired, ledgerRows, results, cancellationToken).ConfigureAwait(false);

        // Which channels each due period still owes, oldest first.
        var owed = new List<(ReportPeriod Period, List<ChannelOptions> Channels)>();
        foreach (var period in due)
        {
            var pending = new List<ChannelOptions>();
            foreach (var channel in channels)
            {
                var state = states[channel.Name];
                var row = ledgerRows.GetValueOrDefault((period.First, channel.Name));
                var recorded = row?.ReadState();
                if (recorded is DeliveryState.Delivered or DeliveryState.Expired) continue;
                if (recorded is DeliveryState.Unknown && channel.Kind != ChannelKind.Generic) continue;
                // A new channel gets no backlog: nothing was owed to it before it was first seen.
                if (row is null && schedule.DueAt(period) < state.Since) continue;

                if (!state.Enabled)
                {
                    var index = _delivery.Channels.IndexOf(channel);
                    var next = state.Generation + 1;
                    ChannelsLog.ChannelSkipped(logger, channel.Name, state.DisabledAt, state.DisabledReason, index, next);
                    results.Add(new DigestDelivery(period, channel.Name, DigestDeliveryStatus.ChannelDisabled, row?.DeliveryId, state.DisabledReason));
                    continue;
                }

                pending.Add(channel);
            }

            if (pending.Count > 0) owed.Add((period, pending));
        }

        // The PDFs and messages first: a digest never links to a report that does not exist.
        var messages = new Dictionary<ReportPeriod, DigestMessage>();
        foreach (var (period, pending) in owed)
        {
            var dueAt = schedule.DueAt(period);
            DigestLog.PeriodDue(logger, period.Key, dueAt, pending.Count);
            var published = await reports.PublishAsync(period, cancellationToken).ConfigureAwait(false);
            var message = composer.Compose(published);
            messages[period] = message with { Archive = reports.ArchiveLink() };
        }

        // Each channel on its own, all at once: a receiver that hangs until its timeouts delays only itself. Within a
        // channel the periods go oldest first.
        var perChannel = channels
            .Select(channel => (Channel: channel, Periods: owed.Where(o => o.Channels.Contains(channel)).Select(o => o.Period).ToList()))
            .Where(c => c.Periods.Count > 0)
            .Select(c => DeliverChannelAsync(tenantId, c.Channel, c.Periods, messages, cancellationToken))
            .ToList();
        foreach (var channelResults in await Task.WhenAll(perChannel).ConfigureAwait(false)) results.AddRange(channelResults);
        return results;
    }

    /// <summary>One channel's owed periods, oldest first; stops when the channel gets disabled on the way.</summary>
    private async Task<List<DigestDelivery>> DeliverChannelAsync(long tenantId, ChannelOptions channel, List<ReportPeriod> periods, Dictionary<ReportPeriod, DigestMessage> messages, CancellationToken cancellationToken)
    {
        var results = new List<DigestDelivery>();
        ChannelState? state = null;
        foreach (var period in periods)
        {
            if (state is { Enabled: false })
            {
                results.Add(new DigestDelivery(period, channel.Name, DigestDeliveryStatus.ChannelDisabled, null, state.DisabledReason));
                continue;
            }

            var delivery = await DeliverAsync(tenantId, period, channel, messages[period], cancellationToken).ConfigureAwait(false);
            results.Add(delivery);
            if (delivery.Status is DigestDeliveryStatus.Delivered or DigestDeliveryStatus.Failed or DigestDeliveryStatus.Unknown)
            {
                state = await health.RecordAsync(channel, delivery.Status == DigestDeliveryStatus.Delivered, delivery.Error, cancellationToken).ConfigureAwait(false);
            }
        }

        return results;
    }

    private async Task<DigestDelivery> DeliverAsync(long tenantId, ReportPeriod period, ChannelOptions channel, DigestMessage message, CancellationToken cancellationToken)
    {
        var claim = await ledger.TryBeginAsync(tenantId, period, channel, _delivery.DeliveryLease, message.Report.Sha256, cancellationToken).ConfigureAwait(false);
        switch (claim.Decision)
        {
            case ClaimDecision.AlreadyDelivered:
                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.AlreadyDelivered, claim.Row.DeliveryId, null);
            case ClaimDecision.Expired:
                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.Expired, claim.Row.DeliveryId, null);
            case ClaimDecision.InProgressElsewhere:
                DigestLog.InProgressElsewhere(logger, period.Key, channel.Name, claim.Row.DeliveryId, claim.Row.LeaseUntil);
                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.InProgressElsewhere, claim.Row.DeliveryId, null);
            case ClaimDecision.OutcomeUnknown:
                if (claim.Recovered)
                {
                    DigestLog.RecoveredAttempting(logger, period.Key, channel.Name, claim.Row.DeliveryId, claim.Row.StartedAt);
                    ChannelsLog.DeliveryUnknown(logger, What(period), channel.Name, channel.Kind, claim.Row.DeliveryId, claim.Row.Error, ReportStaysAvailable);
                }

                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.Unknown, claim.Row.DeliveryId, claim.Row.Error);
        }

        // Only a Generic delivery is claimed again after a run stopped mid-post (the ledger decides per kind).
        if (claim.Recovered) ChannelsLog.StoppedRunRepeated(logger, What(period), channel.Name, claim.Row.DeliveryId, claim.PreviousStartedAt ?? claim.Row.StartedAt);
        var what = What(period);
        var (outcome, sent) = channel.Kind == ChannelKind.Email
            ? await SendEmailAsync(period, channel, message, claim.Row.DeliveryId, cancellationToken).ConfigureAwait(false)
            : await PostChatAsync(channel, message, claim.Row.DeliveryId, cancellationToken).ConfigureAwait(false);
        await ledger.CompleteAsync(claim, outcome, sent.Sha256, cancellationToken).ConfigureAwait(false);
        switch (outcome.Result)
        {
            case DeliveryResult.Delivered:
                ChannelsLog.Delivered(logger, what, channel.Name, channel.Kind, outcome.Attempts, claim.Row.DeliveryId, sent.Shown, sent.Omitted, sent.Bytes);
                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.Delivered, claim.Row.DeliveryId, null);
            case DeliveryResult.Unknown:
                if (channel.Kind == ChannelKind.Generic) ChannelsLog.DeliveryUnansweredRepeated(logger, what, channel.Name, claim.Row.DeliveryId, outcome.Error, "the next digest run");
                else ChannelsLog.DeliveryUnknown(logger, what, channel.Name, channel.Kind, claim.Row.DeliveryId, outcome.Error, ReportStaysAvailable);
                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.Unknown, claim.Row.DeliveryId, outcome.Error);
            default:
                ChannelsLog.DeliveryFailed(logger, what, channel.Name, channel.Kind, outcome.Attempts, claim.Row.DeliveryId, outcome.Error,
                    $"the next digest run tries again (for Digest:CatchUpDays, {schedule.CatchUpDays} day(s))");
                return new DigestDelivery(period, channel.Name, DigestDeliveryStatus.Failed, claim.Row.DeliveryId, outcome.Error);
        }
    }

    private async Task<(DeliveryOutcome Outcome, SentContent Sent)> PostChatAsync(ChannelOptions channel, DigestMessage message, string deliveryId, CancellationToken cancellationToken)
    {
        var payload = ChatRenderer.For(channel.Kind).Render(message, deliveryId);
        var outcome = await client.PostAsync(channel, payload, deliveryId, cancellationToken).ConfigureAwait(false);
        return (outcome, new SentContent(Sha256(Encoding.UTF8.GetBytes(payload.Json)), payload.Bytes, payload.IncidentsShown, payload.IncidentsOmitted));
    }

    /// <summary>The digest as an email with the period's PDF attached when it is small enough (else linked only).</summary>
    private async Task<(DeliveryOutcome Outcome, SentContent Sent)> SendEmailAsync(ReportPeriod period, ChannelOptions channel, DigestMessage message, string deliveryId, CancellationToken cancellationToken)
    {
        var settings = channel.Email!;
        var pdf = await reports.ReadAttachmentAsync(period, message.Report, settings.MaxAttachmentBytes, cancellationToken).ConfigureAwait(false);
        var payload = EmailRenderer.Render(message, settings, deliveryId, time.GetUtcNow(), pdf);
        var outcome = await email.SendAsync(channel, payload, cancellationToken).ConfigureAwait(false);
        // After sending: the SMTP client chose the transfer encodings, so these are the bytes the server got.
        using var bytes = new MemoryStream();
        await payload.Message.WriteToAsync(bytes, cancellationToken).ConfigureAwait(false);
        return (outcome, new SentContent(Sha256(bytes.ToArray()), (int)bytes.Length, payload.IncidentsShown, payload.IncidentsOmitted));
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    /// <summary>What a channel was sent, for the ledger and the log.</summary>
    private sealed record SentContent(string Sha256, int Bytes, int Shown, int Omitted);

    /// <summary>
    /// Periods that left the catch-up window without reaching a channel (up to <see cref="ExpiryLookback"/> back) are
    /// marked expired, once each, with a warning.
    /// </summary>
    private async Task ExpireAsync(
        long tenantId,
        List<ChannelOptions> channels,
        Dictionary<string, ChannelState> states,
        IReadOnlyList<ReportPeriod> expired,
        IReadOnlyDictionary<(LocalDate Day, string Channel), DeliveryEntity> rows,
        List<DigestDelivery> results,
        CancellationToken cancellationToken)
    {
        foreach (var period in expired)
        {
            foreach (var channel in channels)
            {
                var row = rows.GetValueOrDefault((period.First, channel.Name));
                var owed = row is null ? schedule.DueAt(period) >= states[channel.Name].Since : row.ReadState() == DeliveryState.Failed;
                if (!owed) continue;
                if (await ledger.ExpireAsync(tenantId, period, channel, cancellationToken).ConfigureAwait(false))
                {
                    DigestLog.TooOld(logger, period.Key, channel.Name, schedule.CatchUpDays);
                    results.Add(new DigestDelivery(period, channel.Name, DigestDeliveryStatus.Expired, row?.DeliveryId, null));
                }
            }
        }
    }

    private const string ReportStaysAvailable = "the report stays available";

    private static string What(ReportPeriod period) => "Digest of " + period.Key;

    /// <summary>How many periods behind the catch-up window a missed one is still recorded as expired: 14 days, 2 weeks or months.</summary>
    private static int ExpiryLookback(PeriodKind kind) => kind == PeriodKind.Day ? ExpiryLookbackDays : 2;
}
