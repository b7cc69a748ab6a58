using System.Text.Json.Serialization;
using Azure;
using IncidentFunctions.AppModel;
using IncidentFunctions.Incidents;
using IncidentFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Operations;

/// <summary>What <c>GET /api/status</c> answers.</summary>
/// <param name="Status"><c>ok</c>, <c>pending</c>, <c>catching-up</c>, <c>stale</c>, <c>failing</c>, or <c>unavailable</c> (storage unreadable).</param>
/// <param name="Intel">The intel data enrichment labels with and how old it is; null before the first refresh, or when it could not be read (it never changes the status).</param>
public sealed record StatusReport(
    string Status,
    DateTimeOffset Now,
    string Telemetry,
    IngestionStatus? Ingestion,
    string? Error,
    IntelHealth? Intel = null);

/// <summary>
/// The status route: per-tenant pull checkpoint, last outcome and error, and lag behind now. 200 while pulls are
/// healthy or catching up; 503 when stale, failing or storage is unreadable, so an availability test can alert on it.
/// Function-level auth: the last error may mention internal details.
/// </summary>
public sealed class StatusEndpoint(IngestionStatusReader reader, IntelHealthReader intel, TelemetryExport telemetryExport, TimeProvider time, ILogger<StatusEndpoint> logger) : IHttpRoute
{
    public const string FunctionName = "Status";
    public const string RouteTemplate = "status";

    private const int MaxErrorChars = 500;

    public static HttpRouteMetadata Metadata { get; } = new(FunctionName, ["GET"], RouteTemplate, HttpAuthLevel.Function);

    public async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var telemetry = telemetryExport.Authentication;
        StatusReport report;
        try
        {
            var ingestion = await reader.GetAsync(cancellationToken).ConfigureAwait(false);
            report = new StatusReport(Name(ingestion.Health), now, telemetry, ingestion, null, await IntelAsync(now, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException or Azure.Identity.AuthenticationFailedException)
        {
            StatusLog.StorageUnreadable(logger, StorageFailure.StackFor(ex), FailureText.Describe(ex));
            report = new StatusReport("unavailable", now, telemetry, null, StoredText.Bound("Storage: " + FailureText.Of(ex), MaxErrorChars));
        }

        var healthy = report.Ingestion?.Health is PullHealth.Ok or PullHealth.Pending or PullHealth.CatchingUp;
        return Results.Json(report, StatusJsonContext.Default.StatusReport, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The intel's age, or null when it cannot be read: the pull's health decides the answer, not this.</summary>
    private async Task<IntelHealth?> IntelAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await intel.GetAsync(now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.IsUnavailable(ex) || ex is System.Text.Json.JsonException)
        {
            StatusLog.IntelUnreadable(logger, StorageFailure.StackFor(ex), FailureText.Describe(ex));
            return null;
        }
    }

    /// <summary>The health's JSON name (its <see cref="JsonStringEnumMemberNameAttribute"/>).</summary>
    internal static string Name(PullHealth health)
        => typeof(PullHealth).GetField(health.ToString())!.GetCustomAttributes(typeof(JsonStringEnumMemberNameAttribute), false)
            .OfType<JsonStringEnumMemberNameAttribute>().Single().Name;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;

internal static partial class StatusLog
{
    [LoggerMessage(EventId = 1610, Level = LogLevel.Warning, Message = "Status endpoint could not read the pull checkpoints ({Failure})")]
    public static partial void StorageUnreadable(ILogger logger, Exception? exception, string failure);

    [LoggerMessage(EventId = 1611, Level = LogLevel.Warning, Message = "Status endpoint could not read the intel snapshot's pointer or status record ({Failure})")]
    public static partial void IntelUnreadable(ILogger logger, Exception? exception, string failure);
}
