using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>A request that passed the gate: its JSON body and the fault (if any) armed for it that the handler applies.</summary>
internal sealed record ApiRequest(JsonElement Body, FaultRule? Fault);

internal delegate Task ApiHandler(HttpContext context, SimulatorState state, ApiRequest request);

/// <summary>
/// What every API route does before its handler, as the real API would: the token check (401), a body that must be
/// JSON (400), the armed faults that replace the answer (429, 500, timeout, non-JSON), and the request log.
/// </summary>
internal static class ApiGate
{
    public const string TokenHeader = "X-WallarmAPI-Token";

    public static async Task HandleAsync(HttpContext ctx, SimulatorState state, string endpoint, ApiHandler handler)
    {
        string raw;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
        {
            raw = await reader.ReadToEndAsync(ctx.RequestAborted);
        }

        var token = ctx.Request.Headers[TokenHeader].ToString();
        var validToken = token.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(state.Options.ApiToken));
        try
        {
            if (!validToken)
            {
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 401, "Unauthorized");
                return;
            }

            JsonElement body;
            try
            {
                body = string.IsNullOrWhiteSpace(raw) ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(raw).RootElement;
            }
            catch (JsonException)
            {
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 400, "Request body is not valid JSON");
                return;
            }

            var fault = state.Faults.Next(endpoint, PageCursor.PageOf(body));
            if (await ApplyAsync(ctx, fault)) return;
            await handler(ctx, state, new ApiRequest(body, fault));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout); nothing to answer.
        }
        finally
        {
            state.Requests.Add(new RecordedRequest(ctx.Request.Path.Value ?? "", raw, validToken, ctx.Response.StatusCode));
        }
    }

    /// <summary>Answers in place of the handler for faults that replace the whole response; true when it did.</summary>
    private static async Task<bool> ApplyAsync(HttpContext ctx, FaultRule? fault)
    {
        switch (fault?.Kind)
        {
            case FaultKind.RateLimit:
                ctx.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 429, "Too Many Requests");
                return true;
            case FaultKind.ServerError:
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 500, "Internal Server Error");
                return true;
            case FaultKind.Timeout:
                await Task.Delay(TimeSpan.FromSeconds(fault.DelaySeconds), ctx.RequestAborted);
                await SimulatorWire.WriteEnvelopeErrorAsync(ctx, 504, "Gateway Timeout");
                return true;
            case FaultKind.MalformedJson:
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"status\":200,\"body\":[{\"id\": <html>Bad gateway</html>", ctx.RequestAborted);
                return true;
            default:
                return false;
        }
    }
}
