using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The daily PDF report; the host checks the function key before this runs.</summary>
public sealed class GetDailyReport(DailyReportEndpoint endpoint)
{
    [Function(DailyReportEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = DailyReportEndpoint.Template)] HttpRequest req,
        string date,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, date, cancellationToken);
}
