using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Channels;

/// <summary>A channel's health row: PartitionKey <c>channel</c>, RowKey the channel name.</summary>
public sealed class ChannelHealthEntity : ITableEntity
{
    public const string Partition = "channel";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The configured <see cref="ChannelOptions.Generation"/> this row's history belongs to.</summary>
    public int Generation { get; set; }

    /// <summary>When the channel was first seen under this generation; older missed digests are not caught up on for it.</summary>
    public DateTimeOffset Since { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset? DisabledAt { get; set; }

    public string? DisabledReason { get; set; }

    /// <summary>Recent deliveries within the window as JSON <c>[[unixSeconds, 1|0], …]</c> (1 = delivered).</summary>
    public string HistoryJson { get; set; } = "[]";

    public DateTimeOffset? LastSuccessAt { get; set; }

    public DateTimeOffset? LastFailureAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>A channel's health as the sender and the status route see it.</summary>
public sealed record ChannelState(
    string Name,
    bool Enabled,
    int Generation,
    DateTimeOffset Since,
    DateTimeOffset? DisabledAt,
    string? DisabledReason,
    int RecentDeliveries,
    int RecentFailures,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastError);

/// <summary>
/// Tracks each channel's recent deliveries (digest and alerts alike; an unknown outcome counts as a failure) and
/// disables a channel whose failure share within <see cref="AutoDisableOptions.Window"/> reaches
/// <see cref="AutoDisableOptions.FailureRate"/> over at least <see cref="AutoDisableOptions.MinDeliveries"/>
/// deliveries — like Wallarm's own integrations (60 % within 12 h). A disabled channel stays disabled until its
/// configured <see cref="ChannelOptions.Generation"/> is raised above the one it was disabled under.
/// </summary>
public sealed class ChannelHealth(StorageClients storage, TimeProvider time, IOptions<DeliveryOptions> options, ILogger<ChannelHealth> logger)
{
    private const int MaxHistory = 1_000;

    public async Task<ChannelState> GetAsync(ChannelOptions channel, CancellationToken cancellationToken = default)
    {
        var row = await ReadOrResetAsync(channel, cancellationToken).ConfigureAwait(false);
        return ToState(row);
    }

    /// <summary>Adds one delivery outcome; disables the channel (logged as critical) when it crosses the threshold.</summary>
    public async Task<ChannelState> RecordAsync(ChannelOptions channel, bool success, string? error, CancellationToken cancellationToken = default)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var settings = options.Value.AutoDisable;
        for (var round = 0; ; round++)
        {
            var row = await ReadOrResetAsync(channel, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var history = Trim(ReadHistory(row), now, settings.Window);
            history.Add([now.ToUnixTimeSeconds(), success ? 1 : 0]);
            if (history.Count > MaxHistory) history.RemoveRange(0, history.Count - MaxHistory);
            row.HistoryJson = JsonSerializer.Serialize(history, HealthJsonContext.Default.ListInt64Array);
            if (success)
            {
                row.LastSuccessAt = now;
            }
            else
            {
                row.LastFailureAt = now;
                row.LastError = StoredText.Bound(error, 1_000);
            }

            var failures = history.Count(h => h[1] == 0);
            var disabling = !row.Disabled && history.Count >= settings.MinDeliveries && failures >= settings.FailureRate * history.Count;
            if (disabling)
            {
                row.Disabled = true;
                row.DisabledAt = now;
                row.DisabledReason = $"{failures} of {history.Count} deliveries failed within {settings.Window}; last error: {StoredText.Bound(error, 300)}";
            }

            try
            {
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && round < 10)
            {
                continue; // a concurrent delivery recorded first: add ours to its history
            }

            if (disabling)
            {
                var index = options.Value.Channels.IndexOf(channel);
                ChannelsLog.ChannelDisabled(logger, channel.Name, channel.Kind, failures, history.Count, settings.Window, settings.FailureRate, index, row.Generation + 1);
            }

            return ToState(row);
        }
    }

    private async Task<ChannelHealthEntity> ReadOrResetAsync(ChannelOptions channel, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        for (var round = 0; ; round++)
        {
            var existing = await table.GetEntityIfExistsAsync<ChannelHealthEntity>(ChannelHealthEntity.Partition, channel.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            try
            {
                if (!existing.HasValue)
                {
                    var created = new ChannelHealthEntity { RowKey = channel.Name, Generation = channel.Generation, Since = now };
                    var response = await table.AddEntityAsync(created, cancellationToken).ConfigureAwait(false);
                    created.ETag = response.Headers.ETag ?? default;
                    return created;
                }

                var row = existing.Value!;
                if (channel.Generation <= row.Generation) return row;

                // Raised generation: the operator re-enables the channel (or starts its history afresh).
                if (row.Disabled) ChannelsLog.ChannelReEnabled(logger, channel.Name, row.Generation, channel.Generation);
                var reset = new ChannelHealthEntity { RowKey = channel.Name, Generation = channel.Generation, Since = now, ETag = row.ETag };
                var updated = await table.UpdateEntityAsync(reset, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                reset.ETag = updated.Headers.ETag ?? default;
                return reset;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && round < 10)
            {
                // Another run created or reset it at the same moment: read theirs.
            }
        }
    }

    private ChannelState ToState(ChannelHealthEntity row)
    {
        var history = Trim(ReadHistory(row), time.GetUtcNow(), options.Value.AutoDisable.Window);
        return new ChannelState(row.RowKey, !row.Disabled, row.Generation, row.Since, row.DisabledAt, row.DisabledReason,
            history.Count, history.Count(h => h[1] == 0), row.LastSuccessAt, row.LastFailureAt, row.LastError);
    }

    private static List<long[]> ReadHistory(ChannelHealthEntity row)
    {
        try
        {
            return (JsonSerializer.Deserialize(row.HistoryJson, HealthJsonContext.Default.ListInt64Array) ?? []).Where(h => h is { Length: 2 }).ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static List<long[]> Trim(List<long[]> history, DateTimeOffset now, TimeSpan window)
    {
        var from = (now - window).ToUnixTimeSeconds();
        return history.Where(h => h[0] > from).ToList();
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(storage.Options.DigestChannelsTable, cancellationToken);
}

[JsonSerializable(typeof(List<long[]>))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
