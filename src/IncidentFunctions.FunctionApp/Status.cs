using IncidentFunctions.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Pull health per tenant: checkpoint, last outcome and error, lag (see <see cref="StatusEndpoint"/>).</summary>
public sealed class Status(StatusEndpoint endpoint)
{
    [Function(StatusEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = StatusEndpoint.RouteTemplate)] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, cancellationToken);
}
