using IncidentFunctions.Hosting;
using IncidentFunctions.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Pull health per tenant: checkpoint, last outcome and error, lag (see <see cref="StatusEndpoint"/>).</summary>
public sealed class Status
{
    [Function(nameof(Status))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = StatusEndpoint.RouteTemplate)] HttpRequest request,
        CancellationToken cancellationToken)
        => StatusEndpoint.Route.HandleAsync(request.HttpContext, cancellationToken);
}
