using IncidentFunctions.AppModel;
using IncidentFunctions.Digest;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Posts yesterday's digest (and any missed day), and last week's and last month's to the channels that opt in, once the local send time has passed.</summary>
public sealed class SendDailyDigest(DigestSender sender)
{
    [Function(nameof(SendDailyDigest))]
    public async Task Run([TimerTrigger($"%{AppSettingNames.DailyDigestSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await sender.RunAsync(cancellationToken);
}
