using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The daily PDF report; the host checks the function key before this runs.</summary>
public sealed class GetDailyReport
{
    [Function(nameof(GetDailyReport))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = "reports/daily/{date}.pdf")] HttpRequest req,
        string date,
        CancellationToken cancellationToken)
    {
        req.RouteValues[ReportEndpoints.DateRouteValue] = date;
        return ReportEndpoints.Daily.HandleAsync(req.HttpContext, cancellationToken);
    }
}
