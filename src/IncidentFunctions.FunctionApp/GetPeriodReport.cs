using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The PDF report of an ISO week or a month; the host checks the function key before this runs.</summary>
public sealed class GetPeriodReport(PeriodReportEndpoint endpoint)
{
    [Function(PeriodReportEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = PeriodReportEndpoint.Template)] HttpRequest req,
        string kind,
        string period,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, kind, period, cancellationToken);
}
