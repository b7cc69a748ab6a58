using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Posts due alert roll-ups, then yesterday's digest (and any missed day) once its local send time has passed.</summary>
public sealed class SendDailyDigest(SendDailyDigestJob job)
{
    [Function(nameof(SendDailyDigest))]
    public async Task Run([TimerTrigger($"%{AppSettingNames.DailyDigestSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await job.RunAsync(cancellationToken);
}
