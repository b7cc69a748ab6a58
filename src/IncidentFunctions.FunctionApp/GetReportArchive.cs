using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The report archive page; the host checks the function key before this runs.</summary>
public sealed class GetReportArchive(ReportArchiveEndpoint endpoint)
{
    [Function(ReportArchiveEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ReportArchiveEndpoint.Template)] HttpRequest req,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, cancellationToken);
}
