using IncidentFunctions.AppModel;
using IncidentFunctions.Reports;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Writes the CSV snapshots of recently closed days ahead of their first export.</summary>
public sealed class SnapshotCsvDays(CsvSnapshotJob job)
{
    [Function(CsvSnapshotJob.FunctionName)]
    public async Task Run([TimerTrigger($"%{AppSettingNames.CsvSnapshotsSchedule}%")] TimerInfo timer, CancellationToken cancellationToken)
        => await job.RunAsync(cancellationToken);
}
