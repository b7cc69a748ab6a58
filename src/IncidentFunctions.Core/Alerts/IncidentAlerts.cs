using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Alerts;

/// <summary>Alert ledger row: PartitionKey <c>{tenant}-{channel}</c>, RowKey the escaped incident id. Its existence means "handled".</summary>
public sealed class AlertClaimEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    public DateTimeOffset IntervalStart { get; set; }
}

/// <summary>Roll-up state of one channel and interval: PartitionKey <c>rollup-{channel}</c>, RowKey the interval start (UTC).</summary>
public sealed class AlertIntervalEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset IntervalStart { get; set; }

    public DateTimeOffset IntervalEnd { get; set; }

    /// <summary>Single-incident alerts posted in the interval.</summary>
    public int Sent { get; set; }

    /// <summary>New incidents over the limit, waiting for the roll-up.</summary>
    public int Pending { get; set; }

    /// <summary>The first <see cref="AlertOptions.RollupListed"/> of them, as JSON.</summary>
    public string PendingJson { get; set; } = "[]";

    /// <summary><c>open</c> until the roll-up is claimed for posting, then <c>sent</c>.</summary>
    public string RollupState { get; set; } = OpenState;

    public const string OpenState = "open";
    public const string SentState = "sent";
}

/// <summary>
/// Real-time alerts (optional, <c>Digest:Alerts:Enabled</c>): after enrichment, each incident that is new (first hit
/// within <see cref="AlertOptions.MaxAge"/>) and not alerted before posts a short message to the channels with
/// <c>Alerts</c> set. "Not alerted before" is an insert into the alert ledger per channel and incident, so a
/// redelivered queue message or a re-pull never alerts twice. Per channel and interval at most
/// <see cref="AlertOptions.MaxPerInterval"/> single alerts go out; further new incidents are held and posted as one
/// roll-up message once the interval has ended (on the next alert or digest run). Like the digest, an alert is posted
/// at most once: a claim whose post then fails is not retried.
/// </summary>
public sealed class IncidentAlerts(
    StorageClients storage,
    SourceProfileStore sources,
    VulnerabilityCatalog vulnerabilities,
    ChannelHealth health,
    ChatWebhookClient client,
    ReportCalendar calendar,
    IOptions<AlertOptions> options,
    IOptions<DeliveryOptions> delivery,
    IOptions<WallarmOptions> wallarm,
    TimeProvider time,
    ILogger<IncidentAlerts> logger)
{
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

        await FlushRollupsAsync(cancellationToken).ConfigureAwait(false);
        var latestDay = new Dictionary<string, LocalDate>(StringComparer.Ordinal);
        foreach (var reference in incidents)
        {
            foreach (var iso in reference.Days)
            {
                if (ReportCalendar.TryParseIsoDay(iso, out var day) && (!latestDay.TryGetValue(reference.Id, out var known) || day > known)) latestDay[reference.Id] = day;
            }
        }

        if (latestDay.Count == 0) return 0;
        var rows = await ReadRowsAsync(tenantId, latestDay, cancellationToken).ConfigureAwait(false);
        if (rows.Count < latestDay.Count) AlertsLog.AlertIncidentsMissing(logger, latestDay.Count - rows.Count);

        var now = time.GetUtcNow();
        var fresh = rows.Where(r => now - r.Row.FirstSeen <= options.Value.MaxAge && !DailyReportBuilder.IsFalsePositive(r.Row)).ToList();
        if (fresh.Count == 0)
        {
            AlertsLog.AlertsProcessed(logger, 0, rows.Count, 0, 0);
            return 0;
        }

        var profiles = new Dictionary<LocalDate, SourceDay>();
        foreach (var day in fresh.Select(r => r.Day).Distinct())
        {
            profiles[day] = await sources.GetDayAsync(tenantId, day, cancellationToken).ConfigureAwait(false);
        }

        var issues = await vulnerabilities.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var console = wallarm.Value.ResolveConsoleAddress();
        var summaries = fresh
            .OrderBy(r => r.Row.FirstSeen).ThenBy(r => r.Row.IncidentId, StringComparer.Ordinal)
            // The report's projection of a row, so an alert names the incident as the digest and the PDF do.
            .Select(r => (r.Row.RowKey, Summary: IncidentSummaries.From(
                DailyReportBuilder.ToIncidentRow(r.Row, profiles[r.Day].Profiles, issues, console, now, TimeSpan.Zero))))
            .ToList();

        var sent = 0;
        var held = 0;
        var claimedAny = 0;
        foreach (var channel in channels)
        {
            var state = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
            if (!state.Enabled)
            {
                var index = delivery.Value.Channels.IndexOf(channel);
                var next = state.Generation + 1;
                ChannelsLog.ChannelSkipped(logger, channel.Name, state.DisabledAt, state.DisabledReason, index, next);
                continue;
            }

            var (single, rolledUp) = await ClaimAsync(tenantId, channel, summaries, now, cancellationToken).ConfigureAwait(false);
            claimedAny = Math.Max(claimedAny, single.Count + rolledUp);
            held += rolledUp;
            foreach (var summary in single)
            {
                var message = new AlertMessage { TimeZone = calendar.ZoneId, GeneratedAt = now, Incidents = [summary] };
                if (await PostAsync(channel, message, AlertDeliveryId(tenantId, channel.Name, summary.Id), "Alert", cancellationToken).ConfigureAwait(false)) sent++;
            }
        }

        AlertsLog.AlertsProcessed(logger, claimedAny, rows.Count, sent, held);
        return sent;
    }

    /// <summary>Posts the roll-up of every ended interval that held incidents over the limit. The digest timer calls it too.</summary>
    public async Task<int> FlushRollupsAsync(CancellationToken cancellationToken = default)
    {
        var channels = ChannelsForAlerts().ToList();
        if (channels.Count == 0) return 0;
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var posted = 0;
        foreach (var channel in channels)
        {
            var partition = RollupPartition(channel.Name);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RollupState eq {AlertIntervalEntity.OpenState} and Pending gt 0");
            var due = new List<AlertIntervalEntity>();
            await foreach (var row in table.QueryAsync<AlertIntervalEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (row.IntervalEnd <= now) due.Add(row);
            }

            if (due.Count == 0) continue;
            var state = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
            if (!state.Enabled) continue;
            foreach (var row in due.OrderBy(r => r.IntervalStart))
            {
                // Claim before posting: a roll-up is posted at most once, like everything else.
                row.RollupState = AlertIntervalEntity.SentState;
                try
                {
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue; // another run took it
                }

                var listed = ReadPending(row.PendingJson);
                var message = new AlertMessage
                {
                    TimeZone = calendar.ZoneId,
                    GeneratedAt = now,
                    Incidents = listed,
                    NotListed = Math.Max(0, row.Pending - listed.Count),
                    RollupInterval = new TimeWindow(row.IntervalStart, row.IntervalEnd),
                };
                if (await PostAsync(channel, message, $"r-{channel.Name}-{row.RowKey}", "Alert roll-up", cancellationToken).ConfigureAwait(false)) posted++;
            }
        }

        return posted;
    }

    /// <summary>Claims the incidents not yet handled on <paramref name="channel"/> and splits them into single alerts and roll-up.</summary>
    private async Task<(List<IncidentSummary> Single, int RolledUp)> ClaimAsync(long tenantId, ChannelOptions channel, List<(string RowKey, IncidentSummary Summary)> summaries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var settings = options.Value;
        var intervalStart = IntervalStart(now, settings.Interval);
        var claimPartition = $"{tenantId.ToString(CultureInfo.InvariantCulture)}-{channel.Name}";

        var claimed = new List<(string RowKey, IncidentSummary Summary)>();
        foreach (var item in summaries)
        {
            try
            {
                await table.AddEntityAsync(new AlertClaimEntity { PartitionKey = claimPartition, RowKey = item.RowKey, ClaimedAt = now, IntervalStart = intervalStart }, cancellationToken).ConfigureAwait(false);
                claimed.Add(item);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Alerted (or rolled up) before: a redelivered message or a re-pull of a known incident.
            }
        }

        if (claimed.Count == 0) return ([], 0);

        for (var round = 0; ; round++)
        {
            var partition = RollupPartition(channel.Name);
            var rowKey = IntervalKey(intervalStart);
            var existing = await table.GetEntityIfExistsAsync<AlertIntervalEntity>(partition, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            var row = existing.HasValue ? existing.Value! : new AlertIntervalEntity
            {
                PartitionKey = partition,
                RowKey = rowKey,
                IntervalStart = intervalStart,
                IntervalEnd = intervalStart + settings.Interval,
            };
            var slots = row.RollupState == AlertIntervalEntity.OpenState ? Math.Max(0, settings.MaxPerInterval - row.Sent) : 0;
            var single = claimed.Take(slots).Select(c => c.Summary).ToList();
            var over = claimed.Skip(single.Count).Select(c => c.Summary).ToList();
            row.Sent += single.Count;
            row.Pending += over.Count;
            if (over.Count > 0)
            {
                var pending = ReadPending(row.PendingJson);
                pending.AddRange(over.Take(Math.Max(0, settings.RollupListed - pending.Count)));
                row.PendingJson = JsonSerializer.Serialize(pending, AlertJsonContext.Default.ListIncidentSummary);
            }

            try
            {
                if (existing.HasValue) await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                else await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                return (single, over.Count);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && round < 10)
            {
                // A concurrent alert run counted first: recount against its numbers.
            }
        }
    }

    private async Task<bool> PostAsync(ChannelOptions channel, AlertMessage message, string deliveryId, string what, CancellationToken cancellationToken)
    {
        var payload = ChatRenderer.For(channel.Kind).Render(message, deliveryId);
        var outcome = await client.PostAsync(channel, payload, deliveryId, cancellationToken).ConfigureAwait(false);
        var delivered = outcome.Result == DeliveryResult.Delivered;
        if (delivered) ChannelsLog.Delivered(logger, what, channel.Name, channel.Kind, outcome.Attempts, deliveryId, payload.IncidentsShown, payload.IncidentsOmitted, payload.Bytes);
        else if (outcome.Result == DeliveryResult.Unknown) ChannelsLog.DeliveryUnknown(logger, what, channel.Name, channel.Kind, deliveryId, outcome.Error);
        else ChannelsLog.DeliveryFailed(logger, what, channel.Name, channel.Kind, outcome.Attempts, deliveryId, outcome.Error);
        await health.RecordAsync(channel, delivered, outcome.Error, cancellationToken).ConfigureAwait(false);
        return delivered;
    }

    private async Task<List<(IncidentEntity Row, LocalDate Day)>> ReadRowsAsync(long tenantId, Dictionary<string, LocalDate> latestDay, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, cancellationToken).ConfigureAwait(false);
        var rows = new List<(IncidentEntity, LocalDate)>();
        var gate = new Lock();
        await Parallel.ForEachAsync(latestDay, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (pair, ct) =>
        {
            var partition = DayPartition.Key(tenantId, pair.Value);
            var row = await table.GetEntityIfExistsAsync<IncidentEntity>(partition, TableKeys.Escape(pair.Key), cancellationToken: ct).ConfigureAwait(false);
            if (row.HasValue)
            {
                lock (gate) rows.Add((row.Value!, pair.Value));
            }
        }).ConfigureAwait(false);
        return rows;
    }

    private static List<IncidentSummary> ReadPending(string json)
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

    internal static DateTimeOffset IntervalStart(DateTimeOffset now, TimeSpan interval)
        => new(now.UtcTicks - (now.UtcTicks % interval.Ticks), TimeSpan.Zero);

    private static string IntervalKey(DateTimeOffset start) => start.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture);

    private static string RollupPartition(string channel) => $"rollup-{channel}";

    /// <summary>Stable per tenant, channel and incident, so a generic receiver can deduplicate an alert however it arrives.</summary>
    private static string AlertDeliveryId(long tenantId, string channel, string incidentId)
        => "a-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId}\n{channel}\n{incidentId}")).AsSpan(0, 12));

    private IEnumerable<ChannelOptions> ChannelsForAlerts() => options.Value.Enabled ? delivery.Value.ChannelsForAlerts() : [];

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(storage.Options.DigestAlertsTable, cancellationToken);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<IncidentSummary>))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
