using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>
/// The simulator's own routes under <c>/__simulator</c>: what it serves; faults, broken records and the API's modes
/// (<c>time</c> filter meaning, data moving during paging) switched over HTTP.
/// </summary>
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
            now = DateTimeOffset.FromUnixTimeSeconds(state.NowUnix),
            timeFilter = state.TimeFilter.ToString(),
            driftPerRequestSeconds = state.DriftPerRequest.TotalSeconds,
            faults = state.Faults.Armed,
            corruptions = state.Corruptions.Armed,
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
        endpoints.MapPost(Prefix + "/corruptions", async (HttpContext ctx) =>
        {
            CorruptionRule? rule;
            try
            {
                rule = await JsonSerializer.DeserializeAsync<CorruptionRule>(ctx.Request.Body, JsonSerializerOptions.Web, ctx.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { error = "Not a corruption rule: " + ex.Message });
            }

            if (rule is null) return Results.BadRequest(new { error = "Not a corruption rule: the body is null." });
            state.Corruptions.Add(rule);
            return Results.Json(state.Corruptions.Armed);
        });
        endpoints.MapDelete(Prefix + "/corruptions", () =>
        {
            state.Corruptions.Clear();
            return Results.NoContent();
        });
        endpoints.MapPost(Prefix + "/mode", async (HttpContext ctx) =>
        {
            SimulatorMode? mode;
            try
            {
                mode = await JsonSerializer.DeserializeAsync<SimulatorMode>(ctx.Request.Body, JsonSerializerOptions.Web, ctx.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { error = "Not a mode: " + ex.Message });
            }

            if (mode is null) return Results.BadRequest(new { error = "Not a mode: the body is null." });
            if (mode.TimeFilter is { } meaning) state.TimeFilter = meaning;
            if (mode.DriftPerRequestSeconds is { } drift) state.DriftPerRequest = TimeSpan.FromSeconds(Math.Max(0, drift));
            return Results.Json(new { timeFilter = state.TimeFilter.ToString(), driftPerRequestSeconds = state.DriftPerRequest.TotalSeconds });
        });
        return endpoints;
    }
}

/// <summary>Body of <c>POST /__simulator/mode</c>; members left out keep their value.</summary>
internal sealed record SimulatorMode(
    [property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TimeFilterMeaning>))] TimeFilterMeaning? TimeFilter,
    double? DriftPerRequestSeconds);
