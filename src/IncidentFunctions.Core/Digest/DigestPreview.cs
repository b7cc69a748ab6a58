using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentFunctions.Channels;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>One platform's rendering of a previewed digest.</summary>
/// <param name="SinkStatus">HTTP status the chat sink answered, when one was configured.</param>
public sealed record PreviewFile(ChannelKind Kind, string Path, int Bytes, int IncidentsShown, int IncidentsOmitted, int? SinkStatus, string? SinkError);

/// <summary>
/// Renders a day's digest for every platform without touching any configured channel or the ledger: into
/// <c>{dir}/slack.json</c>, <c>teams.json</c>, <c>discord.json</c> and <c>generic.json</c> (indented for reading),
/// and, when a local "chat sink" URL is given, POSTs each body as it would be sent to <c>{sink}/{kind}</c>.
/// The demo and the local runner use it.
/// </summary>
public sealed class DigestPreview(
    DigestComposer composer,
    DigestReportPublisher reports,
    WallarmTenant tenant,
    WallarmClient wallarm,
    IHttpClientFactory httpClients,
    ILogger<DigestPreview> logger)
{
    public const string PreviewDeliveryId = "preview";
    private static readonly JsonSerializerOptions Indented = new(ChatRenderer.Json) { WriteIndented = true };

    public async Task<IReadOnlyList<PreviewFile>> WriteAsync(LocalDate day, string outputDirectory, Uri? chatSink = null, CancellationToken cancellationToken = default)
    {
        var tenantId = await tenant.GetClientIdAsync(wallarm, cancellationToken).ConfigureAwait(false);
        var report = await reports.PublishAsync(day, cancellationToken).ConfigureAwait(false);
        var message = await composer.BuildAsync(tenantId, day, report, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(message, outputDirectory, chatSink, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PreviewFile>> WriteAsync(DigestMessage message, string outputDirectory, Uri? chatSink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Directory.CreateDirectory(outputDirectory);
        var files = new List<PreviewFile>();
        using var http = httpClients.CreateClient(nameof(DigestPreview));
        foreach (var kind in ChatRenderer.ChatKinds)
        {
            var payload = ChatRenderer.For(kind).Render(message, PreviewDeliveryId);
            var path = Path.Combine(outputDirectory, kind.ToString().ToLowerInvariant() + ".json");
            await File.WriteAllTextAsync(path, JsonNode.Parse(payload.Json)!.ToJsonString(Indented) + "\n", cancellationToken).ConfigureAwait(false);
            DigestLog.PreviewWritten(logger, message.Day, kind, path, payload.Bytes);

            int? status = null;
            string? error = null;
            if (chatSink is not null)
            {
                var target = new Uri(chatSink.AbsoluteUri.TrimEnd('/') + "/" + kind.ToString().ToLowerInvariant());
                try
                {
                    using var content = new StringContent(payload.Json, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(target, content, cancellationToken).ConfigureAwait(false);
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException ex)
                {
                    error = ex.Message;
                }
            }

            files.Add(new PreviewFile(kind, path, payload.Bytes, payload.IncidentsShown, payload.IncidentsOmitted, status, error));
        }

        return files;
    }
}
