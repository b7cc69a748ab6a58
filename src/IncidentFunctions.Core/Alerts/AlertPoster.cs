using IncidentFunctions.Channels;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Alerts;

/// <summary>
/// Posts one alert or roll-up to one channel: renders it for the platform, sends it under its delivery id, logs what
/// really happens next for the channel's kind, and counts the outcome towards the channel's health.
/// </summary>
public sealed class AlertPoster(ChatWebhookClient client, ChannelHealth health, ILogger<AlertPoster> logger)
{
    /// <param name="nextWhenFailed">What happens to it if it is refused, for the log, e.g. "a later run tries again until 12:20".</param>
    public async Task<DeliveryOutcome> PostAsync(ChannelOptions channel, AlertMessage message, string deliveryId, string nextWhenFailed, CancellationToken cancellationToken = default)
    {
        var what = message.IsRollup ? "Alert roll-up" : "Alert";
        var payload = ChatRenderer.For(channel.Kind).Render(message, deliveryId);
        var outcome = await client.PostAsync(channel, payload, deliveryId, cancellationToken).ConfigureAwait(false);
        switch (outcome.Result)
        {
            case DeliveryResult.Delivered:
                ChannelsLog.Delivered(logger, what, channel.Name, channel.Kind, outcome.Attempts, deliveryId, payload.IncidentsShown, payload.IncidentsOmitted, payload.Bytes);
                break;
            case DeliveryResult.Unknown when channel.Kind == ChannelKind.Generic:
                ChannelsLog.DeliveryUnansweredRepeated(logger, what, channel.Name, deliveryId, outcome.Error, "the next alerts run");
                break;
            case DeliveryResult.Unknown:
                ChannelsLog.DeliveryUnknown(logger, what, channel.Name, channel.Kind, deliveryId, outcome.Error, DigestListsThem);
                break;
            default:
                ChannelsLog.DeliveryFailed(logger, what, channel.Name, channel.Kind, outcome.Attempts, deliveryId, outcome.Error, nextWhenFailed);
                break;
        }

        await health.RecordAsync(channel, outcome.Result == DeliveryResult.Delivered, outcome.Error, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    internal const string DigestListsThem = "the daily digest and report list the incidents";
}
