using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The daily PDF report through a signed, expiring link: anonymous at the host, the handler checks the signature.</summary>
public sealed class GetSharedDailyReport
{
    [Function(nameof(GetSharedDailyReport))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "reports/shared/daily/{date}.pdf")] HttpRequest req,
        string date,
        CancellationToken cancellationToken)
    {
        req.RouteValues[ReportEndpoints.DateRouteValue] = date;
        return ReportEndpoints.SharedDaily.HandleAsync(req.HttpContext, cancellationToken);
    }
}
