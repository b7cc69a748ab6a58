using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.AppModel;

/// <summary>Who may call an HTTP route; mirrors the Functions host's <c>AuthorizationLevel</c> values the app uses.</summary>
public enum HttpAuthLevel
{
    /// <summary>No key needed.</summary>
    Anonymous,

    /// <summary>A function key is needed: header <c>x-functions-key</c> or query parameter <c>code</c>.</summary>
    Function,
}

/// <summary>
/// An HTTP-triggered job as both hosts see it. The Functions app has one thin function per route (same name, methods,
/// route and auth level on its <c>[HttpTrigger]</c>) that calls <see cref="HandleAsync"/>; the local runner maps the
/// same route under host.json's <c>routePrefix</c>. Register instances as singletons.
/// </summary>
/// <param name="FunctionName">The function's name, also the endpoint name in the runner.</param>
/// <param name="Methods">HTTP methods, e.g. <c>["GET"]</c>; empty means any method, as in Functions.</param>
/// <param name="RouteTemplate">Route without the prefix, e.g. <c>reports/daily/{date}.pdf</c>.</param>
/// <param name="AuthLevel">Whether a function key is required.</param>
/// <param name="HandleAsync">Reads route values and the request from the context and returns the result to write.</param>
public sealed record HttpRoute(
    string FunctionName,
    string[] Methods,
    string RouteTemplate,
    HttpAuthLevel AuthLevel,
    Func<HttpContext, CancellationToken, Task<IResult>> HandleAsync);
