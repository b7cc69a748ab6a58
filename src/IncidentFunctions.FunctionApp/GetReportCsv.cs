using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The CSV export of a day, week or month; the host checks the function key before this runs.</summary>
public sealed class GetReportCsv(ReportCsvEndpoint endpoint)
{
    [Function(ReportCsvEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = ReportCsvEndpoint.Template)] HttpRequest req,
        string kind,
        string period,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, kind, period, cancellationToken);
}
