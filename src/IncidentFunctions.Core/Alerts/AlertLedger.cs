using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Storage;

namespace IncidentFunctions.Alerts;

/// <summary>Where an alert (or a roll-up) stands on one channel.</summary>
public enum AlertState
{
    /// <summary>Recorded, not sent yet: a later run sends it (also after a run stopped between recording and posting).</summary>
    Pending,

    /// <summary>A run is posting it until the lease ends; after that the run is presumed dead.</summary>
    Attempting,

    Delivered,

    /// <summary>Not posted (refused, unreachable): a later run tries again.</summary>
    Failed,

    /// <summary>Sent but not answered, or the posting run stopped: maybe posted. Repeated to Generic receivers only.</summary>
    Unknown,

    /// <summary>Over the interval's limit: counted in the interval's roll-up.</summary>
    RolledUp,

    /// <summary>Could not be delivered as a single alert in time: moved into a later interval's roll-up.</summary>
    Folded,

    /// <summary>Not delivered within <see cref="AlertOptions.MaxAge"/>: given up, logged as an error.</summary>
    Expired,
}

/// <summary>
/// One new incident on one channel: PartitionKey <c>{tenant}-{channel}</c>, RowKey the incident's row key. Its
/// existence means the incident was handled on the channel (never alerted twice); its state says how far it got.
/// </summary>
public sealed class AlertClaimEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    public DateTimeOffset IntervalStart { get; set; }

    /// <summary>An <see cref="AlertState"/>; empty on rows written before states were recorded (handled then).</summary>
    public string State { get; set; } = "";

    public string? DeliveryId { get; set; }

    /// <summary>The incident as the alert shows it (JSON), so a later run posts exactly what was recorded.</summary>
    public string? SummaryJson { get; set; }

    /// <summary>Runs that posted (or tried to post) it.</summary>
    public int Runs { get; set; }

    public int HttpAttempts { get; set; }

    public DateTimeOffset? FirstAttemptAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    /// <summary>For <see cref="AlertState.Folded"/>: the start of the interval whose roll-up carries it.</summary>
    public DateTimeOffset? FoldedInto { get; set; }

    public AlertState ReadState() => State.Length == 0 ? AlertState.Delivered : Enum.TryParse<AlertState>(State, out var s) ? s : AlertState.Unknown;
}

/// <summary>
/// One channel's roll-up interval, in the claims' partition (so a claim and its count change in one transaction):
/// RowKey <c>%~interval-{start, UTC yyyyMMddTHHmmss}</c>, which no escaped incident id can take (an escaped key only
/// has <c>%</c> before two hex digits). Also the index of the interval's single alerts not settled yet.
/// </summary>
public sealed class AlertIntervalEntity : ITableEntity
{
    public const string RowKeyPrefix = "%~interval-";

    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset IntervalStart { get; set; }

    public DateTimeOffset IntervalEnd { get; set; }

    /// <summary>Single-alert slots used in the interval.</summary>
    public int Sent { get; set; }

    /// <summary>New incidents of the roll-up: over the limit, or folded in after their single alert could not be delivered.</summary>
    public int Pending { get; set; }

    /// <summary>The first <see cref="AlertOptions.RollupListed"/> of them, as JSON.</summary>
    public string PendingJson { get; set; } = "[]";

    /// <summary>Row keys of this interval's single alerts that are not settled (delivered, given up or folded) yet.</summary>
    public string UndeliveredJson { get; set; } = "[]";

    /// <summary>Something here still needs a run: unsettled singles, or a roll-up not delivered or given up.</summary>
    public bool Open { get; set; }

    /// <summary>An <see cref="AlertState"/> of the roll-up (<see cref="AlertState.Pending"/> while it collects).</summary>
    public string RollupState { get; set; } = nameof(AlertState.Pending);

    public int RollupRuns { get; set; }

    public int RollupHttpAttempts { get; set; }

    public DateTimeOffset? RollupStartedAt { get; set; }

    public DateTimeOffset? RollupLeaseUntil { get; set; }

    public DateTimeOffset? RollupFinishedAt { get; set; }

    public int? RollupStatusCode { get; set; }

    public string? RollupError { get; set; }

    public AlertState ReadRollupState() => Enum.TryParse<AlertState>(RollupState, out var s) ? s : AlertState.Unknown;
}

/// <summary>What <see cref="AlertLedger.ClaimAsync"/> recorded on one channel.</summary>
/// <param name="Singles">Claimed as single alerts (state <see cref="AlertState.Pending"/>), oldest first.</param>
/// <param name="RolledUp">Claimed for the interval's roll-up.</param>
public sealed record AlertClaims(IReadOnlyList<AlertClaimEntity> Singles, int RolledUp);

/// <summary>
/// The alert ledger (table <c>digestalerts</c>): per channel, which new incidents were claimed and how far each
/// single alert and each interval's roll-up got. Storage only — what goes where is <see cref="AlertRollupPolicy"/>'s
/// call, posting is <see cref="AlertPoster"/>'s. Every change is conditional on the ETag read, so concurrent runs
/// (queue instances, the timer) never both post the same thing; a claim and its interval's count are written in one
/// transaction, so a run that stops between recording and posting leaves a <see cref="AlertState.Pending"/> alert the
/// next timer run finds through its interval.
/// </summary>
public sealed class AlertLedger(StorageClients storage)
{
    private const int MaxRounds = 10;

    /// <summary>
    /// Claims the candidates not handled on <paramref name="channel"/> before and splits them into single alerts and the
    /// roll-up of <paramref name="now"/>'s interval, per <paramref name="policy"/>.
    /// </summary>
    public async Task<AlertClaims> ClaimAsync(long tenantId, ChannelOptions channel, IReadOnlyList<AlertCandidate> candidates, AlertRollupPolicy policy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var partition = Partition(tenantId, channel.Name);
        var singles = new List<AlertClaimEntity>();
        var rolledUp = 0;
        // A transaction holds at most 100 entities: the interval row and up to 99 claims.
        foreach (var chunk in candidates.Chunk(99))
        {
            for (var round = 0; ; round++)
            {
                var fresh = await UnclaimedAsync(table, partition, chunk, cancellationToken).ConfigureAwait(false);
                if (fresh.Count == 0) break;
                var interval = await GetOrNewIntervalAsync(table, partition, policy.IntervalOf(now), cancellationToken).ConfigureAwait(false);
                var slots = policy.SingleSlots(interval.Row);
                var claims = new List<AlertClaimEntity>();
                var undelivered = ReadKeys(interval.Row.UndeliveredJson);
                var over = new List<AlertCandidate>();
                for (var i = 0; i < fresh.Count; i++)
                {
                    var single = i < slots;
                    var candidate = fresh[i];
                    claims.Add(new AlertClaimEntity
                    {
                        PartitionKey = partition,
                        RowKey = candidate.RowKey,
                        ClaimedAt = now,
                        IntervalStart = interval.Row.IntervalStart,
                        State = single ? nameof(AlertState.Pending) : nameof(AlertState.RolledUp),
                        DeliveryId = single ? AlertDeliveryIds.Alert(tenantId, channel.Name, candidate.Summary.Id) : null,
                        SummaryJson = single ? JsonSerializer.Serialize(candidate.Summary, AlertJsonContext.Default.IncidentSummary) : null,
                    });
                    if (single) undelivered.Add(candidate.RowKey);
                    else over.Add(candidate);
                }

                var taken = Math.Min(slots, fresh.Count);
                interval.Row.Sent += taken;
                interval.Row.UndeliveredJson = WriteKeys(undelivered);
                AddToRollup(interval.Row, over.Select(o => o.Summary), policy);
                interval.Row.Open = AlertRollupPolicy.IsOpen(interval.Row, channel.Kind);

                var actions = claims.Select(c => new TableTransactionAction(TableTransactionActionType.Add, c)).ToList();
                actions.Add(interval.Exists
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, interval.Row, interval.Row.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, interval.Row));
                try
                {
                    await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412 && round < MaxRounds)
                {
                    continue; // a concurrent run claimed some of them or counted first: look again
                }

                singles.AddRange(claims.Where(c => c.State == nameof(AlertState.Pending)));
                rolledUp += over.Count;
                break;
            }
        }

        // The transaction does not return the claims' ETags: read them back before anyone updates them.
        var read = new List<AlertClaimEntity>();
        foreach (var claim in singles)
        {
            if (await GetClaimAsync(tenantId, channel.Name, claim.RowKey, cancellationToken).ConfigureAwait(false) is { } stored) read.Add(stored);
        }

        return new AlertClaims(read, rolledUp);
    }

    public async Task<AlertClaimEntity?> GetClaimAsync(long tenantId, string channel, string rowKey, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<AlertClaimEntity>(Partition(tenantId, channel), rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }

    public async Task<AlertIntervalEntity?> GetIntervalAsync(long tenantId, string channel, DateTimeOffset intervalStart, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<AlertIntervalEntity>(Partition(tenantId, channel), IntervalKey(intervalStart), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The channel's intervals since <paramref name="from"/> that still need a run, oldest first (one range query).</summary>
    public async Task<IReadOnlyList<AlertIntervalEntity>> GetOpenIntervalsAsync(long tenantId, string channel, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {Partition(tenantId, channel)} and RowKey ge {IntervalKey(from)} and RowKey le {IntervalKey(to)} and Open eq true");
        var rows = new List<AlertIntervalEntity>();
        await foreach (var row in table.QueryAsync<AlertIntervalEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false)) rows.Add(row);
        return rows.OrderBy(r => r.IntervalStart).ToList();
    }

    /// <summary>Claims one alert for posting until the lease ends. False when another run holds or changed it.</summary>
    public async Task<bool> TryBeginAsync(AlertClaimEntity claim, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        claim.State = nameof(AlertState.Attempting);
        claim.Runs++;
        claim.FirstAttemptAt ??= now;
        claim.StartedAt = now;
        claim.LeaseUntil = now + lease;
        claim.FinishedAt = null;
        return await TryUpdateAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the answer of a claimed alert. False when another run took it over meanwhile.</summary>
    public async Task<bool> CompleteAsync(AlertClaimEntity claim, DeliveryOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        claim.State = StateOf(outcome.Result);
        claim.HttpAttempts = outcome.Attempts;
        claim.StatusCode = outcome.StatusCode;
        claim.Error = StoredText.Bound(outcome.Error, 1_000);
        claim.FinishedAt = now;
        return await TryUpdateAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends an alert without posting it: <see cref="AlertState.Unknown"/> (a chat post a stopped run may have made) or <see cref="AlertState.Expired"/>.</summary>
    public async Task<bool> EndAsync(AlertClaimEntity claim, AlertState state, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        claim.State = state.ToString();
        claim.Error = StoredText.Bound(reason, 1_000);
        claim.FinishedAt = now;
        return await TryUpdateAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a single alert that could not be delivered into the roll-up of <paramref name="now"/>'s interval: the
    /// claim, that interval and the claim's own interval change in one transaction. False when something changed
    /// meanwhile (the next run looks again).
    /// </summary>
    public async Task<bool> FoldAsync(long tenantId, ChannelOptions channel, AlertClaimEntity claim, AlertRollupPolicy policy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var partition = Partition(tenantId, channel.Name);
        var target = await GetOrNewIntervalAsync(table, partition, policy.IntervalOf(now), cancellationToken).ConfigureAwait(false);
        if (target.Row.IntervalStart == claim.IntervalStart) return false; // still its own interval: nothing to fold into yet
        var source = await table.GetEntityIfExistsAsync<AlertIntervalEntity>(partition, IntervalKey(claim.IntervalStart), cancellationToken: cancellationToken).ConfigureAwait(false);

        claim.State = nameof(AlertState.Folded);
        claim.FoldedInto = target.Row.IntervalStart;
        claim.FinishedAt = now;
        if (ReadSummary(claim) is { } summary) AddToRollup(target.Row, [summary], policy);
        else target.Row.Pending++;
        target.Row.Open = AlertRollupPolicy.IsOpen(target.Row, channel.Kind);

        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpdateReplace, claim, claim.ETag),
            target.Exists
                ? new(TableTransactionActionType.UpdateReplace, target.Row, target.Row.ETag)
                : new(TableTransactionActionType.Add, target.Row),
        };
        if (source.HasValue)
        {
            var row = source.Value!;
            var keys = ReadKeys(row.UndeliveredJson);
            keys.Remove(claim.RowKey);
            row.UndeliveredJson = WriteKeys(keys);
            row.Open = AlertRollupPolicy.IsOpen(row, channel.Kind);
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Drops settled single alerts from their interval's index.</summary>
    public async Task SettleAsync(long tenantId, ChannelOptions channel, DateTimeOffset intervalStart, IReadOnlyCollection<string> rowKeys, AlertRollupPolicy policy, CancellationToken cancellationToken = default)
    {
        if (rowKeys.Count == 0) return;
        await UpdateIntervalAsync(tenantId, channel.Name, intervalStart, row =>
        {
            var keys = ReadKeys(row.UndeliveredJson);
            keys.RemoveAll(rowKeys.Contains);
            row.UndeliveredJson = WriteKeys(keys);
            row.Open = AlertRollupPolicy.IsOpen(row, channel.Kind);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims an interval's roll-up for posting until the lease ends. Returns the claimed row, or null when another run holds or changed it.</summary>
    public async Task<AlertIntervalEntity?> TryBeginRollupAsync(AlertIntervalEntity row, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        row.RollupState = nameof(AlertState.Attempting);
        row.RollupRuns++;
        row.RollupStartedAt = now;
        row.RollupLeaseUntil = now + lease;
        row.RollupFinishedAt = null;
        return await TryUpdateAsync(row, cancellationToken).ConfigureAwait(false) ? row : null;
    }

    /// <summary>Records the answer of a claimed roll-up. False when another run took it over meanwhile.</summary>
    public async Task<bool> CompleteRollupAsync(AlertIntervalEntity row, ChannelKind kind, AlertRollupPolicy policy, DeliveryOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        row.RollupState = StateOf(outcome.Result);
        row.RollupHttpAttempts = outcome.Attempts;
        row.RollupStatusCode = outcome.StatusCode;
        row.RollupError = StoredText.Bound(outcome.Error, 1_000);
        row.RollupFinishedAt = now;
        row.Open = AlertRollupPolicy.IsOpen(row, kind);
        return await TryUpdateAsync(row, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a roll-up without posting it (<see cref="AlertState.Unknown"/> after a stopped chat post, or <see cref="AlertState.Expired"/>).</summary>
    public async Task<bool> EndRollupAsync(AlertIntervalEntity row, ChannelKind kind, AlertRollupPolicy policy, AlertState state, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        row.RollupState = state.ToString();
        row.RollupError = StoredText.Bound(reason, 1_000);
        row.RollupFinishedAt = now;
        row.Open = AlertRollupPolicy.IsOpen(row, kind);
        return await TryUpdateAsync(row, cancellationToken).ConfigureAwait(false);
    }

    internal static IncidentSummary? ReadSummary(AlertClaimEntity claim)
    {
        if (string.IsNullOrEmpty(claim.SummaryJson)) return null;
        try
        {
            return JsonSerializer.Deserialize(claim.SummaryJson, AlertJsonContext.Default.IncidentSummary);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static List<IncidentSummary> ReadPending(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AlertJsonContext.Default.ListIncidentSummary) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    internal static List<string> ReadKeys(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AlertJsonContext.Default.ListString) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    internal static string IntervalKey(DateTimeOffset start) => AlertIntervalEntity.RowKeyPrefix + start.UtcDateTime.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture);

    private static string WriteKeys(List<string> keys) => JsonSerializer.Serialize(keys, AlertJsonContext.Default.ListString);

    private static void AddToRollup(AlertIntervalEntity row, IEnumerable<IncidentSummary> incidents, AlertRollupPolicy policy)
    {
        var added = incidents.ToList();
        if (added.Count == 0) return;
        row.Pending += added.Count;
        var listed = ReadPending(row.PendingJson);
        listed.AddRange(added.Take(Math.Max(0, policy.RollupListed - listed.Count)));
        row.PendingJson = JsonSerializer.Serialize(listed, AlertJsonContext.Default.ListIncidentSummary);
    }

    private static string StateOf(DeliveryResult result) => result switch
    {
        DeliveryResult.Delivered => nameof(AlertState.Delivered),
        DeliveryResult.Failed => nameof(AlertState.Failed),
        _ => nameof(AlertState.Unknown),
    };

    private static string Partition(long tenantId, string channel) => string.Create(CultureInfo.InvariantCulture, $"{tenantId}-{channel}");

    private static async Task<List<AlertCandidate>> UnclaimedAsync(TableClient table, string partition, AlertCandidate[] candidates, CancellationToken cancellationToken)
    {
        var claimed = new bool[candidates.Length];
        await Parallel.ForAsync(0, candidates.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var row = await table.GetEntityIfExistsAsync<AlertClaimEntity>(partition, candidates[i].RowKey, [nameof(AlertClaimEntity.RowKey)], ct).ConfigureAwait(false);
            claimed[i] = row.HasValue;
        }).ConfigureAwait(false);
        return candidates.Where((_, i) => !claimed[i]).ToList();
    }

    private static async Task<(AlertIntervalEntity Row, bool Exists)> GetOrNewIntervalAsync(TableClient table, string partition, TimeWindow interval, CancellationToken cancellationToken)
    {
        var existing = await table.GetEntityIfExistsAsync<AlertIntervalEntity>(partition, IntervalKey(interval.From), cancellationToken: cancellationToken).ConfigureAwait(false);
        return existing.HasValue
            ? (existing.Value!, true)
            : (new AlertIntervalEntity { PartitionKey = partition, RowKey = IntervalKey(interval.From), IntervalStart = interval.From, IntervalEnd = interval.To }, false);
    }

    private async Task UpdateIntervalAsync(long tenantId, string channel, DateTimeOffset intervalStart, Func<AlertIntervalEntity, bool> change, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < MaxRounds; round++)
        {
            var existing = await table.GetEntityIfExistsAsync<AlertIntervalEntity>(Partition(tenantId, channel), IntervalKey(intervalStart), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!existing.HasValue) return;
            var row = existing.Value!;
            if (!change(row)) return;
            if (await TryUpdateAsync(row, cancellationToken).ConfigureAwait(false)) return;
        }
    }

    private async Task<bool> TryUpdateAsync(ITableEntity row, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
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

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(storage.Options.DigestAlertsTable, cancellationToken);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<IncidentSummary>))]
[JsonSerializable(typeof(IncidentSummary))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
