using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>A week's or month's PDF through a signed link; anonymous at the host, the route checks the signature.</summary>
public sealed class GetSharedPeriodReport(SharedPeriodReportEndpoint endpoint)
{
    [Function(SharedPeriodReportEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = SharedPeriodReportEndpoint.Template)] HttpRequest req,
        string kind,
        string period,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, kind, period, cancellationToken);
}
