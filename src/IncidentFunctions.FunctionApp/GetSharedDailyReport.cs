using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The daily PDF report through a signed, expiring link: anonymous at the host, the endpoint checks the signature.</summary>
public sealed class GetSharedDailyReport(SharedDailyReportEndpoint endpoint)
{
    [Function(SharedDailyReportEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = SharedDailyReportEndpoint.Template)] HttpRequest req,
        string date,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, date, cancellationToken);
}
