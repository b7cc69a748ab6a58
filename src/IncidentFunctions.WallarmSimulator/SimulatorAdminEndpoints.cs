using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>The simulator's own routes under <c>/__simulator</c>: what it serves, and faults armed over HTTP.</summary>
internal static class SimulatorAdminEndpoints
{
    public const string Prefix = "/__simulator";

    public static IEndpointRouteBuilder MapSimulatorAdmin(this IEndpointRouteBuilder endpoints, SimulatorState state)
    {
        endpoints.MapGet(Prefix + "/info", (HttpContext _) => Results.Json(new
        {
            seed = state.Options.Seed,
            incidentsPerDay = state.Options.IncidentsPerDay,
            clientId = state.Options.ClientId,
            now = state.Time.GetUtcNow(),
            faults = state.Faults.Armed,
        }));
        endpoints.MapPost(Prefix + "/faults", async (HttpContext ctx) =>
        {
            FaultRule? rule;
            try
            {
                rule = await JsonSerializer.DeserializeAsync<FaultRule>(ctx.Request.Body, JsonSerializerOptions.Web, ctx.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { error = "Not a fault rule: " + ex.Message });
            }

            if (rule is null) return Results.BadRequest(new { error = "Not a fault rule: the body is null." });
            state.Faults.Add(rule);
            return Results.Json(state.Faults.Armed);
        });
        endpoints.MapDelete(Prefix + "/faults", () =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });
        return endpoints;
    }
}
