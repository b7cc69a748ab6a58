using IncidentFunctions.AppModel;
using IncidentFunctions.Retention;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Deletes the stored days and reports that are past the retention period.</summary>
public sealed class PurgeExpiredData(RetentionJob job)
{
    [Function(RetentionJob.FunctionName)]
    public async Task Run([TimerTrigger($"%{AppSettingNames.RetentionSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await job.RunAsync(cancellationToken);
}
