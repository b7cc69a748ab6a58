using IncidentFunctions.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Chat channels' health and the digest ledger; the host checks the function key before this runs.</summary>
public sealed class GetDigestStatus(DigestStatusEndpoint endpoint)
{
    [Function(DigestStatusEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = DigestStatusEndpoint.RouteTemplate)] HttpRequest req,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, cancellationToken);
}
