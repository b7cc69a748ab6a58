using System.Globalization;
using System.Text.Json.Nodes;
using IncidentFunctions.Alerts;
using IncidentFunctions.AppModel;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Wallarm;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Operations;

/// <summary>
/// <c>GET digest/status</c> (function key): each channel's kind, host (never its URL), whether it is enabled or was
/// disabled automatically and why, its recent failure share, and the ledger of the days still caught up on.
/// </summary>
public sealed class DigestStatusEndpoint(
    IOptions<DeliveryOptions> deliveryOptions,
    IOptions<AlertOptions> alertOptions,
    DigestSchedule schedule,
    ChannelHealth health,
    DeliveryLedger ledger,
    ReportCalendar calendar,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IncidentAlerts incidentAlerts,
    TimeProvider time) : IHttpRoute
{
    public const string FunctionName = "GetDigestStatus";
    public const string RouteTemplate = "digest/status";

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET"], RouteTemplate, HttpAuthLevel.Function);

    public async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = await BuildAsync(cancellationToken).ConfigureAwait(false);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return Results.Content(json.ToJsonString(ChatRenderer.Json), "application/json");
    }

    public async Task<JsonObject> BuildAsync(CancellationToken cancellationToken = default)
    {
        var options = deliveryOptions.Value;
        var alerts = alertOptions.Value;
        var now = time.GetUtcNow();

        // Newest first: the days of the catch-up window, and for weeks and months the latest due and the one before.
        var periods = new Dictionary<PeriodKind, IReadOnlyList<ReportPeriod>>
        {
            [PeriodKind.Day] = schedule.DueDays(now).Reverse().Select(ReportPeriod.Day).ToList(),
            [PeriodKind.Week] = Recent(PeriodKind.Week, now),
            [PeriodKind.Month] = Recent(PeriodKind.Month, now),
        };
        var ledgerRows = new Dictionary<PeriodKind, IReadOnlyDictionary<(NodaTime.LocalDate Day, string Channel), DeliveryEntity>>();
        long? tenantId = null;
        foreach (var (kind, recent) in periods)
        {
            if (!options.ChannelsForDigest(kind).Any()) continue;
            tenantId ??= await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
            ledgerRows[kind] = await ledger.GetAsync(tenantId.Value, recent, cancellationToken).ConfigureAwait(false);
        }

        var channels = new JsonArray();
        foreach (var channel in options.Channels)
        {
            var state = await health.GetAsync(channel, cancellationToken).ConfigureAwait(false);
            var deliveries = new JsonArray();
            foreach (var (kind, recent) in periods)
            {
                if (!options.ChannelsForDigest(kind).Contains(channel)) continue;
                foreach (var period in recent)
                {
                    var row = ledgerRows[kind].GetValueOrDefault((period.First, channel.Name));
                    deliveries.Add(new JsonObject
                    {
                        [kind switch { PeriodKind.Day => "day", PeriodKind.Week => "week", _ => "month" }] = kind == PeriodKind.Day ? ReportCalendar.IsoDay(period.First) : period.Key,
                        ["dueAt"] = schedule.DueAt(period),
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
            var backlog = channel.Alerts && alerts.Enabled ? await incidentAlerts.GetBacklogAsync(channel, cancellationToken).ConfigureAwait(false) : null;
            channels.Add(new JsonObject
            {
                ["name"] = channel.Name,
                ["kind"] = channel.Kind.ToString(),
                ["host"] = channel.ServerHost(),
                ["digest"] = channel.Digest,
                ["weekly"] = channel.Weekly,
                ["monthly"] = channel.Monthly,
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
            ["nextWeeklyDueAt"] = options.ChannelsForDigest(PeriodKind.Week).Any() ? schedule.NextDueAt(PeriodKind.Week, now) : null,
            ["nextMonthlyDueAt"] = options.ChannelsForDigest(PeriodKind.Month).Any() ? schedule.NextDueAt(PeriodKind.Month, now) : null,
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

    /// <summary>The latest due period of <paramref name="kind"/> and the one before it, newest first.</summary>
    private List<ReportPeriod> Recent(PeriodKind kind, DateTimeOffset now)
    {
        var latest = schedule.LatestDuePeriod(kind, now);
        return [latest, latest.Previous()];
    }
}
