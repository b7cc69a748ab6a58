using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The CSV export through a signed link; anonymous at the host, the route checks the signature.</summary>
public sealed class GetSharedReportCsv(SharedReportCsvEndpoint endpoint)
{
    [Function(SharedReportCsvEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = SharedReportCsvEndpoint.Template)] HttpRequest req,
        string kind,
        string period,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, kind, period, cancellationToken);
}
