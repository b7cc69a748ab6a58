using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IncidentFunctions.AppModel;

/// <summary>Who may call an HTTP route; mirrors the Functions host's <c>AuthorizationLevel</c> values the app uses.</summary>
public enum HttpAuthLevel
{
    /// <summary>No key needed.</summary>
    Anonymous,

    /// <summary>A function key is needed: header <c>x-functions-key</c> or query parameter <c>code</c>.</summary>
    Function,
}

/// <summary>What both hosts need to expose a route: the Functions app repeats it on its <c>[HttpTrigger]</c>, the runner maps it.</summary>
/// <param name="FunctionName">The function's name, also the endpoint name in the runner.</param>
/// <param name="Methods">HTTP methods, e.g. <c>["GET"]</c>; empty means any method, as in Functions.</param>
/// <param name="Template">Route without the prefix, e.g. <c>reports/daily/{date}.pdf</c>.</param>
/// <param name="AuthLevel">Whether a function key is required.</param>
public sealed record HttpRouteMetadata(string FunctionName, IReadOnlyList<string> Methods, string Template, HttpAuthLevel AuthLevel);

/// <summary>
/// An HTTP-triggered function as both hosts see it: a class registered in DI (<see cref="HttpRouteServiceCollectionExtensions.AddHttpRoute{TRoute}"/>)
/// whose dependencies come through its constructor. The Functions app has one thin function class per route that
/// receives the route class in its constructor and calls it; the local runner maps every registration under host.json's
/// <c>routePrefix</c> and resolves the route class from the request's scope. Adding a route is therefore one class,
/// one registration and one function; the metadata tests fail when a host lacks it.
/// </summary>
public interface IHttpRoute
{
    /// <summary>Name, methods, template and auth level; the same values as the function's <c>[HttpTrigger]</c>.</summary>
    static abstract HttpRouteMetadata Metadata { get; }

    /// <summary>Handles a request whose route values (e.g. <c>{date}</c>) are in <see cref="HttpRequest.RouteValues"/>.</summary>
    Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken);
}

/// <summary>A registered route: its metadata and the class that handles it (resolved per request, scoped).</summary>
public sealed record HttpRouteRegistration(HttpRouteMetadata Metadata, Type RouteType)
{
    /// <summary>Reads a route value the runner's routing (or a test) put on the request; empty when absent.</summary>
    public static string RouteValue(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RouteValues[name] as string ?? "";
    }
}

public static class HttpRouteServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TRoute"/> as a scoped service (a Functions invocation and a runner request each get
    /// their own, so routes may depend on scoped and transient services) and records its metadata for the runner.
    /// </summary>
    public static IServiceCollection AddHttpRoute<TRoute>(this IServiceCollection services)
        where TRoute : class, IHttpRoute
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(HttpRouteRegistration) && d.ImplementationInstance is HttpRouteRegistration r && r.RouteType == typeof(TRoute)))
        {
            return services;
        }

        services.TryAddScoped<TRoute>();
        services.AddSingleton(new HttpRouteRegistration(TRoute.Metadata, typeof(TRoute)));
        return services;
    }
}
