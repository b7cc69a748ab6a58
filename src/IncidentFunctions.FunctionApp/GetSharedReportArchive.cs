using IncidentFunctions.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.FunctionApp;

/// <summary>The report archive page through an expiring signed link; anonymous at the host, the handler checks the signature.</summary>
public sealed class GetSharedReportArchive(SharedReportArchiveEndpoint endpoint)
{
    [Function(SharedReportArchiveEndpoint.FunctionName)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = SharedReportArchiveEndpoint.Template)] HttpRequest req,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(req, cancellationToken);
}
