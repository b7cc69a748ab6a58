using System.Globalization;
using System.Text.Json.Nodes;
using IncidentFunctions.Alerts;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Reports;
using IncidentFunctions.Wallarm;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

/// <summary>
/// <c>GET digest/status</c> (function key): each channel's kind, host (never its URL), whether it is enabled or was
/// disabled automatically and why, its recent failure share, and the ledger of the days still caught up on.
/// </summary>
public static class DigestStatusEndpoint
{
    public static HttpRoute Route { get; } = new("GetDigestStatus", ["GET"], "digest/status", HttpAuthLevel.Function, HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var json = await BuildAsync(services, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(json.ToJsonString(ChatRenderer.Json), "application/json");
    }

    public static async Task<JsonObject> BuildAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var alerts = services.GetRequiredService<IOptions<AlertOptions>>().Value;
        var schedule = services.GetRequiredService<DigestSchedule>();
        var health = services.GetRequiredService<ChannelHealth>();
        var ledger = services.GetRequiredService<DeliveryLedger>();
        var calendar = services.GetRequiredService<ReportCalendar>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();

        var days = schedule.DueDays(now).Reverse().ToList();
        IReadOnlyDictionary<(NodaTime.LocalDate Day, string Channel), DeliveryEntity> ledgerRows = new Dictionary<(NodaTime.LocalDate, string), DeliveryEntity>();
        if (options.ChannelsForDigest().Any())
        {
            var tenantId = await services.GetRequiredService<WallarmTenant>().GetClientIdAsync(services.GetRequiredService<WallarmClient>(), cancellationToken).ConfigureAwait(false);
            ledgerRows = await ledger.GetRangeAsync(tenantId, days[^1], days[0], cancellationToken).ConfigureAwait(false);
        }

        var channels = new JsonArray();
        foreach (var channel in options.Channels)
        {
            var state = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
            var deliveries = new JsonArray();
            if (channel.Digest)
            {
                foreach (var day in days)
                {
                    var row = ledgerRows.GetValueOrDefault((day, channel.Name));
                    deliveries.Add(new JsonObject
                    {
                        ["day"] = ReportCalendar.IsoDay(day),
                        ["dueAt"] = schedule.DueAt(day),
                        ["state"] = row?.State ?? "NotAttempted",
                        ["deliveryId"] = row?.DeliveryId,
                        ["runs"] = row?.Runs,
                        ["httpAttempts"] = row?.HttpAttempts,
                        ["finishedAt"] = row?.FinishedAt,
                        ["statusCode"] = row?.StatusCode,
                        ["error"] = row?.Error,
                    });
                }
            }

            // Alerts recorded but not delivered (yet): what a stopped run or an outage left for later runs.
            var backlog = channel.Alerts && alerts.Enabled ? await services.GetRequiredService<IncidentAlerts>().GetBacklogAsync(channel, cancellationToken).ConfigureAwait(false) : null;
            channels.Add(new JsonObject
            {
                ["name"] = channel.Name,
                ["kind"] = channel.Kind.ToString(),
                ["host"] = channel.Url?.Host,
                ["digest"] = channel.Digest,
                ["alerts"] = channel.Alerts && alerts.Enabled,
                ["generation"] = channel.Generation,
                ["enabled"] = state.Enabled,
                ["since"] = state.Since,
                ["disabledAt"] = state.DisabledAt,
                ["disabledReason"] = state.DisabledReason,
                ["reEnable"] = state.Enabled ? null : $"Set Digest:Channels:{options.Channels.IndexOf(channel)}:Generation to {state.Generation + 1}",
                ["recentDeliveries"] = state.RecentDeliveries,
                ["recentFailures"] = state.RecentFailures,
                ["failureRate"] = state.RecentDeliveries == 0 ? 0 : Math.Round((double)state.RecentFailures / state.RecentDeliveries, 3),
                ["lastSuccessAt"] = state.LastSuccessAt,
                ["lastFailureAt"] = state.LastFailureAt,
                ["lastError"] = state.LastError,
                ["deliveries"] = deliveries,
                ["alertsNotDelivered"] = backlog is null ? null : new JsonObject { ["alerts"] = backlog.Alerts, ["rollups"] = backlog.Rollups, ["oldestRecordedAt"] = backlog.OldestRecordedAt },
            });
        }

        return new JsonObject
        {
            ["now"] = now,
            ["timeZone"] = calendar.ZoneId,
            ["sendTime"] = schedule.SendTime.ToString("HH:mm", CultureInfo.InvariantCulture),
            ["catchUpDays"] = schedule.CatchUpDays,
            ["latestDueDay"] = ReportCalendar.IsoDay(schedule.LatestDueDay(now)),
            ["nextDueAt"] = schedule.NextDueAt(now),
            ["alertsEnabled"] = alerts.Enabled,
            ["autoDisable"] = new JsonObject
            {
                ["failureRate"] = options.AutoDisable.FailureRate,
                ["window"] = options.AutoDisable.Window.ToString("c", CultureInfo.InvariantCulture),
                ["minDeliveries"] = options.AutoDisable.MinDeliveries,
            },
            ["channels"] = channels,
        };
    }
}
