using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;

namespace IncidentFunctions.LocalRunner.Http;

/// <summary>Maps the app's registered <see cref="IHttpRoute"/>s the way the Functions host exposes HTTP triggers.</summary>
public static class HttpRouteEndpoints
{
    /// <summary>
    /// Maps every <see cref="HttpRouteRegistration"/> under host.json's <c>extensions.http.routePrefix</c>, plus an
    /// anonymous <c>GET /{prefix}/health</c> liveness probe. <c>Function</c>-level routes answer 401 without a valid key.
    /// </summary>
    public static IEndpointRouteBuilder MapLocalRunnerRoutes(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var hostJson = services.GetRequiredService<HostJsonSettings>();
        var keys = services.GetRequiredService<FunctionKeys>();
        var routes = services.GetServices<HttpRouteRegistration>().ToList();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpRouteEndpoints).FullName!);

        var group = endpoints.MapGroup(hostJson.RoutePrefix.Length == 0 ? "" : "/" + hostJson.RoutePrefix);
        group.MapGet("/health", () => Results.Json(new HealthStatus("ok"), HealthStatusJsonContext.Default.HealthStatus))
            .WithName("LocalRunnerHealth");

        foreach (var registration in routes)
        {
            var route = registration.Metadata;
            var builder = route.Methods.Count == 0
                ? group.Map(route.Template, Handler(registration, keys))
                : group.MapMethods(route.Template, route.Methods.Select(m => m.ToUpperInvariant()), Handler(registration, keys));
            builder.WithName(route.FunctionName);
            var methods = route.Methods.Count == 0 ? "any" : string.Join(',', route.Methods);
            var path = PathOf(hostJson, route);
            HttpLog.Mapped(logger, route.FunctionName, methods, path, route.AuthLevel);
        }

        if (keys.KeyFile is { } keyFile && routes.Any(r => r.Metadata.AuthLevel == HttpAuthLevel.Function))
        {
            HttpLog.KeyFromFile(logger, keyFile, FunctionKeys.HeaderName, FunctionKeys.QueryName);
        }

        return endpoints;
    }

    /// <summary>
    /// Checks the key as the Functions host does before any function code runs, then resolves the route class from the
    /// request's scope, as the Functions worker builds the function class (and the route it receives) per invocation.
    /// </summary>
    private static RequestDelegate Handler(HttpRouteRegistration registration, FunctionKeys keys) => async context =>
    {
        if (registration.Metadata.AuthLevel == HttpAuthLevel.Function && !keys.IsAuthorized(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var route = (IHttpRoute)context.RequestServices.GetRequiredService(registration.RouteType);
        var result = await route.HandleAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    };

    private static string PathOf(HostJsonSettings hostJson, HttpRouteMetadata route)
        => hostJson.RoutePrefix.Length == 0 ? "/" + route.Template : $"/{hostJson.RoutePrefix}/{route.Template}";
}

internal sealed record HealthStatus(string Status);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthStatusJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

internal static partial class HttpLog
{
    [LoggerMessage(EventId = 9400, Level = LogLevel.Information, Message = "HTTP function '{FunctionName}': [{Methods}] {Path} ({AuthLevel})")]
    public static partial void Mapped(ILogger logger, string functionName, string methods, string path, HttpAuthLevel authLevel);

    // The key itself is never logged: logs are read by more people than should call the routes.
    [LoggerMessage(EventId = 9401, Level = LogLevel.Warning, Message = "No LocalRunner:FunctionKeys configured; function-level routes accept the key stored in {KeyFile} (header {HeaderName} or query ?{QueryName}=)")]
    public static partial void KeyFromFile(ILogger logger, string keyFile, string headerName, string queryName);
}
