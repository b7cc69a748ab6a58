using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Storage;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>Where the delivery of one day's digest to one channel stands.</summary>
public enum DeliveryState
{
    /// <summary>A run is posting it (or crashed while posting: see <see cref="DeliveryEntity.LeaseUntil"/>).</summary>
    Attempting,

    Delivered,

    /// <summary>Not posted; the next run tries again.</summary>
    Failed,

    /// <summary>Sent but never answered, or a run stopped mid-post: it may be in the channel. Never reposted to chat platforms.</summary>
    Unknown,

    /// <summary>Never delivered and now older than <see cref="DigestOptions.CatchUpDays"/>.</summary>
    Expired,
}

/// <summary>
/// Ledger row: PartitionKey <c>{tenant}-{yyyyMMdd}</c> for a day's digest, <c>{tenant}-{yyyy-Www}</c> for a week's and
/// <c>{tenant}-{yyyy-MM}</c> for a month's; RowKey the channel name.
/// </summary>
public sealed class DeliveryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string State { get; set; } = nameof(DeliveryState.Attempting);

    /// <summary>Fixed for the day and channel across every redelivery: generic receivers deduplicate on it.</summary>
    public string DeliveryId { get; set; } = "";

    public string Kind { get; set; } = "";

    /// <summary>Runs that posted (or tried to post) it.</summary>
    public int Runs { get; set; }

    /// <summary>HTTP attempts of the last run.</summary>
    public int HttpAttempts { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Until when an <see cref="DeliveryState.Attempting"/> row belongs to a live run; after it, the run is presumed dead.</summary>
    public DateTimeOffset LeaseUntil { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    /// <summary>SHA-256 of the PDF the digest links to.</summary>
    public string? ReportSha256 { get; set; }

    /// <summary>SHA-256 of the body posted (what the receiver got, for audits).</summary>
    public string? PayloadSha256 { get; set; }

    public DeliveryState ReadState() => Enum.TryParse<DeliveryState>(State, out var s) ? s : DeliveryState.Unknown;
}

/// <summary>What <see cref="DeliveryLedger.TryBeginAsync(long, ReportPeriod, ChannelOptions, TimeSpan, string?, CancellationToken)"/> decided.</summary>
public enum ClaimDecision
{
    /// <summary>Post now, under the claim's delivery id.</summary>
    Send,
    AlreadyDelivered,
    InProgressElsewhere,

    /// <summary>A chat delivery with an unknown outcome (sent but unanswered, or the posting run crashed): not reposted.</summary>
    OutcomeUnknown,
    Expired,
}

/// <param name="PreviousStartedAt">When <paramref name="Recovered"/>: when the run that stopped mid-post had started it.</param>
public sealed record DeliveryClaim(ClaimDecision Decision, ReportPeriod Period, string Channel, DeliveryEntity Row, bool Recovered, DateTimeOffset? PreviousStartedAt = null)
{
    /// <summary>The report day of a daily digest (the first day of a week or month).</summary>
    public LocalDate Day => Period.First;
}

/// <summary>
/// The delivery ledger that makes a digest post at most once per day and channel, across retries, concurrent runs and
/// crashes. Before posting, a run writes an <see cref="DeliveryState.Attempting"/> row with a lease (optimistic
/// concurrency: a second run loses the insert or the ETag race and skips); after the answer, it records the outcome.
/// A run that dies between posting and recording leaves the row attempting; once the lease has expired the next run
/// cannot know whether the post went out. For Slack, Teams and Discord it then records the outcome as unknown and does
/// <b>not</b> repost: a lost digest is visible (status route, error log, the report is still there) while a duplicate
/// cannot be recalled. For Generic channels it reposts under the same delivery id, which receivers deduplicate on
/// (at least once), and so does every later run after a Generic delivery that was sent but not answered.
/// </summary>
public sealed class DeliveryLedger(StorageClients storage, TimeProvider time)
{
    /// <summary>Every row of the days from <paramref name="from"/> to <paramref name="to"/> (inclusive): one range query.</summary>
    public async Task<IReadOnlyDictionary<(LocalDate Day, string Channel), DeliveryEntity>> GetRangeAsync(long tenantId, LocalDate from, LocalDate to, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        // Day keys are fixed-width yyyyMMdd after "{tenant}-", so the partitions of one tenant sort by day.
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {DayPartition.Key(tenantId, from)} and PartitionKey le {DayPartition.Key(tenantId, to)}");
        var rows = new Dictionary<(LocalDate, string), DeliveryEntity>();
        var prefix = DayPartition.Key(tenantId, from)[..^8];
        await foreach (var row in table.QueryAsync<DeliveryEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ReportCalendar.TryParseDayKey(row.PartitionKey.AsSpan(prefix.Length), out var day)) rows[(day, row.RowKey)] = row;
        }

        return rows;
    }

    /// <summary>
    /// Every row of <paramref name="periods"/> (all of one kind), keyed by each period's first day: one range query for
    /// days, one partition query per week or month.
    /// </summary>
    public async Task<IReadOnlyDictionary<(LocalDate Day, string Channel), DeliveryEntity>> GetAsync(long tenantId, IReadOnlyList<ReportPeriod> periods, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(periods);
        if (periods.Count == 0) return new Dictionary<(LocalDate, string), DeliveryEntity>();
        if (periods[0].Kind == PeriodKind.Day) return await GetRangeAsync(tenantId, periods.Min(p => p.First), periods.Max(p => p.First), cancellationToken).ConfigureAwait(false);

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<(LocalDate, string), DeliveryEntity>();
        foreach (var period in periods)
        {
            var filter = TableKeys.PartitionFilter(Partition(tenantId, period));
            await foreach (var row in table.QueryAsync<DeliveryEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false)) rows[(period.First, row.RowKey)] = row;
        }

        return rows;
    }

    /// <summary>Decides whether this run posts the digest of <paramref name="day"/> to <paramref name="channel"/>, and if so claims it.</summary>
    public Task<DeliveryClaim> TryBeginAsync(long tenantId, LocalDate day, ChannelOptions channel, TimeSpan lease, string? reportSha256, CancellationToken cancellationToken = default)
        => TryBeginAsync(tenantId, ReportPeriod.Day(day), channel, lease, reportSha256, cancellationToken);

    /// <summary>Decides whether this run posts the digest of <paramref name="period"/> to <paramref name="channel"/>, and if so claims it.</summary>
    public async Task<DeliveryClaim> TryBeginAsync(long tenantId, ReportPeriod period, ChannelOptions channel, TimeSpan lease, string? reportSha256, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var partition = Partition(tenantId, period);
        for (var round = 0; round < 3; round++)
        {
            var now = time.GetUtcNow();
            var existing = await table.GetEntityIfExistsAsync<DeliveryEntity>(partition, channel.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!existing.HasValue)
            {
                var row = new DeliveryEntity
                {
                    PartitionKey = partition,
                    RowKey = channel.Name,
                    DeliveryId = NewDeliveryId(tenantId, period, channel.Name),
                };
                Claim(row, channel, now, lease, reportSha256);
                try
                {
                    var added = await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                    row.ETag = added.Headers.ETag ?? default;
                    return new DeliveryClaim(ClaimDecision.Send, period, channel.Name, row, Recovered: false);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    continue; // another run claimed it first: look again
                }
            }

            var current = existing.Value!;
            var state = current.ReadState();
            var recovered = false;
            var previousStart = current.StartedAt;
            switch (state)
            {
                case DeliveryState.Delivered:
                    return new DeliveryClaim(ClaimDecision.AlreadyDelivered, period, channel.Name, current, false);
                case DeliveryState.Expired:
                    return new DeliveryClaim(ClaimDecision.Expired, period, channel.Name, current, false);
                case DeliveryState.Attempting when current.LeaseUntil > now:
                    return new DeliveryClaim(ClaimDecision.InProgressElsewhere, period, channel.Name, current, false);
                case DeliveryState.Attempting:
                    recovered = true; // the posting run died: whether it posted is unknown
                    if (channel.Kind != ChannelKind.Generic)
                    {
                        current.State = nameof(DeliveryState.Unknown);
                        current.FinishedAt = now;
                        current.Error = "the posting run stopped before recording the answer";
                        if (!await TryUpdateAsync(table, current, cancellationToken).ConfigureAwait(false)) continue;
                        return new DeliveryClaim(ClaimDecision.OutcomeUnknown, period, channel.Name, current, Recovered: true);
                    }

                    break;
                case DeliveryState.Unknown when channel.Kind != ChannelKind.Generic:
                    return new DeliveryClaim(ClaimDecision.OutcomeUnknown, period, channel.Name, current, false);
            }

            // Failed, or a Generic delivery with an unknown outcome: post again under the same delivery id.
            Claim(current, channel, now, lease, reportSha256);
            if (await TryUpdateAsync(table, current, cancellationToken).ConfigureAwait(false))
            {
                return new DeliveryClaim(ClaimDecision.Send, period, channel.Name, current, recovered, recovered ? previousStart : null);
            }
        }

        // Three lost races in a row: some other run is busy with it.
        var last = await table.GetEntityIfExistsAsync<DeliveryEntity>(partition, channel.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new DeliveryClaim(ClaimDecision.InProgressElsewhere, period, channel.Name, last.HasValue ? last.Value! : new DeliveryEntity(), false);
    }

    /// <summary>Records the answer of a claimed delivery. Returns false when another run took the row over meanwhile.</summary>
    public Task<bool> CompleteAsync(DeliveryClaim claim, DeliveryOutcome outcome, ChatPayload payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return CompleteAsync(claim, outcome, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload.Json))), cancellationToken);
    }

    /// <param name="payloadSha256">SHA-256 (hex) of what was sent: the webhook body, or the email as transmitted.</param>
    public async Task<bool> CompleteAsync(DeliveryClaim claim, DeliveryOutcome outcome, string payloadSha256, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = claim.Row;
        row.State = outcome.Result switch
        {
            DeliveryResult.Delivered => nameof(DeliveryState.Delivered),
            DeliveryResult.Failed => nameof(DeliveryState.Failed),
            _ => nameof(DeliveryState.Unknown),
        };
        row.HttpAttempts = outcome.Attempts;
        row.StatusCode = outcome.StatusCode;
        row.Error = StoredText.Bound(outcome.Error, 1_000);
        row.FinishedAt = time.GetUtcNow();
        row.PayloadSha256 = payloadSha256;
        return await TryUpdateAsync(table, row, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks a never-delivered day as too old to send, so the warning is logged once.</summary>
    public Task<bool> ExpireAsync(long tenantId, LocalDate day, ChannelOptions channel, CancellationToken cancellationToken = default)
        => ExpireAsync(tenantId, ReportPeriod.Day(day), channel, cancellationToken);

    /// <summary>Marks a never-delivered period as too old to send, so the warning is logged once.</summary>
    public async Task<bool> ExpireAsync(long tenantId, ReportPeriod period, ChannelOptions channel, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var partition = Partition(tenantId, period);
        var existing = await table.GetEntityIfExistsAsync<DeliveryEntity>(partition, channel.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (!existing.HasValue)
        {
            var row = new DeliveryEntity
            {
                PartitionKey = partition,
                RowKey = channel.Name,
                DeliveryId = NewDeliveryId(tenantId, period, channel.Name),
                Kind = channel.Kind.ToString(),
                State = nameof(DeliveryState.Expired),
                StartedAt = now,
                FinishedAt = now,
            };
            try
            {
                await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        }

        var current = existing.Value!;
        if (current.ReadState() != DeliveryState.Failed) return false;
        current.State = nameof(DeliveryState.Expired);
        current.FinishedAt = now;
        return await TryUpdateAsync(table, current, cancellationToken).ConfigureAwait(false);
    }

    private static void Claim(DeliveryEntity row, ChannelOptions channel, DateTimeOffset now, TimeSpan lease, string? reportSha256)
    {
        row.State = nameof(DeliveryState.Attempting);
        row.Kind = channel.Kind.ToString();
        row.Runs++;
        row.StartedAt = now;
        row.LeaseUntil = now + lease;
        row.FinishedAt = null;
        row.ReportSha256 = reportSha256;
    }

    private static async Task<bool> TryUpdateAsync(TableClient table, DeliveryEntity row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            row.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>
    /// Readable and unique: kind, tenant, period, channel and a random part, e.g.
    /// <c>d-42-20261120-team-slack-9f2c4e1a7b3d</c>, <c>w-42-2026-W47-team-slack-…</c>, <c>m-42-2026-11-team-slack-…</c>.
    /// </summary>
    private static string NewDeliveryId(long tenantId, ReportPeriod period, string channel)
    {
        var (kind, key) = period.Kind switch
        {
            PeriodKind.Day => ("d", ReportCalendar.DayKey(period.First)),
            PeriodKind.Week => ("w", period.Key),
            _ => ("m", period.Key),
        };
        return $"{kind}-{tenantId}-{key}-{channel}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
    }

    /// <summary>
    /// A day keeps the partition it always had; a week or month is keyed by its route key. Those contain '-' right after
    /// the year, which sorts before every digit, so they never fall inside a range of day keys (<see cref="GetRangeAsync"/>).
    /// </summary>
    internal static string Partition(long tenantId, ReportPeriod period)
        => period.Kind == PeriodKind.Day ? DayPartition.Key(tenantId, period.First) : DayPartition.Key(tenantId, period.Key);

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(storage.Options.DigestDeliveriesTable, cancellationToken);
}
