using IncidentFunctions.Digest;
using IncidentFunctions.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>Chat channels' health and the digest ledger; the host checks the function key before this runs.</summary>
public sealed class GetDigestStatus
{
    [Function(nameof(GetDigestStatus))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "digest/status")] HttpRequest req,
        CancellationToken cancellationToken)
        => DigestStatusEndpoint.Route.HandleAsync(req.HttpContext, cancellationToken);
}
