namespace IncidentFunctions.WallarmSimulator;

/// <summary>
/// The Wallarm API routes the product uses, in the real wire format (the <c>{"status","body"}</c> envelope), plus the
/// intel feeds and the simulator's admin routes. Each API route goes through <see cref="ApiGate"/> to its handler.
/// </summary>
public static class SimulatorEndpoints
{
    public const string AdminPrefix = SimulatorAdminEndpoints.Prefix;

    public static IEndpointRouteBuilder MapWallarmSimulator(this IEndpointRouteBuilder endpoints, SimulatorState state)
    {
        endpoints.MapPost("/v1/user", ctx => ApiGate.HandleAsync(ctx, state, "user", ApiHandlers.UserAsync));
        endpoints.MapPost("/v1/objects/attack", ctx => ApiGate.HandleAsync(ctx, state, "attack", (c, s, r) => ApiHandlers.AttacksAsync(c, s, r, cursorMode: false)));
        endpoints.MapPost("/v2/objects/attack", ctx => ApiGate.HandleAsync(ctx, state, "attack", (c, s, r) => ApiHandlers.AttacksAsync(c, s, r, cursorMode: true)));
        endpoints.MapPost("/v1/objects/attack/count", ctx => ApiGate.HandleAsync(ctx, state, "count", ApiHandlers.CountAsync));
        endpoints.MapPost("/v1/objects/vuln", ctx => ApiGate.HandleAsync(ctx, state, "vuln", ApiHandlers.VulnerabilitiesAsync));
        endpoints.MapIntelFeeds(state);
        endpoints.MapSimulatorAdmin(state);
        return endpoints;
    }
}
