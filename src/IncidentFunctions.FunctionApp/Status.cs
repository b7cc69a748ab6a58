using IncidentFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Pull health per tenant: checkpoint, last outcome and error, lag (see <see cref="StatusEndpoint"/>).</summary>
public sealed class Status(IEnumerable<HttpRoute> routes)
{
    private readonly HttpRoute _route = routes.Single(r => r.FunctionName == StatusEndpoint.FunctionName);

    [Function(StatusEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = StatusEndpoint.RouteTemplate)] HttpRequest request,
        CancellationToken cancellationToken)
        => _route.HandleAsync(request.HttpContext, cancellationToken);
}
