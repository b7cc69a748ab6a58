using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IncidentFunctions.Digest;

/// <summary>One platform's rendering of a previewed digest.</summary>
/// <param name="SinkStatus">HTTP status the chat sink answered, when one was configured.</param>
public sealed record PreviewFile(ChannelKind Kind, string Path, int Bytes, int IncidentsShown, int IncidentsOmitted, int? SinkStatus, string? SinkError);

/// <summary>The email rendering of a previewed digest: the message (to send to a local SMTP server) and where it was written.</summary>
/// <param name="EmlPath">The whole message as received (<c>email.eml</c>, opens in any mail client).</param>
/// <param name="HtmlPath">Its HTML body alone (<c>email.html</c>, opens in a browser).</param>
public sealed record EmailPreview(EmailPayload Payload, string EmlPath, string HtmlPath, long Bytes);

/// <summary>
/// Renders a day's digest for every platform without touching any configured channel or the ledger: into
/// <c>{dir}/slack.json</c>, <c>teams.json</c>, <c>discord.json</c> and <c>generic.json</c> (indented for reading),
/// and, when a local "chat sink" URL is given, POSTs each body as it would be sent to <c>{sink}/{kind}</c>; and as an
/// email (<c>email.eml</c> and <c>email.html</c>) with the day's PDF attached. The demo uses it.
/// </summary>
public sealed class DigestPreview(
    DigestComposer composer,
    DigestReportPublisher reports,
    IHttpClientFactory httpClients,
    ILogger<DigestPreview> logger)
{
    public const string PreviewDeliveryId = "preview";
    private static readonly JsonSerializerOptions Indented = new(ChatRenderer.Json) { WriteIndented = true };

    public async Task<IReadOnlyList<PreviewFile>> WriteAsync(LocalDate day, string outputDirectory, Uri? chatSink = null, CancellationToken cancellationToken = default)
    {
        var message = await ComposeAsync(day, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(message, outputDirectory, chatSink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The day's digest message, as <c>SendDailyDigest</c> composes it.</summary>
    public async Task<DigestMessage> ComposeAsync(LocalDate day, CancellationToken cancellationToken = default)
    {
        var published = await reports.PublishAsync(day, cancellationToken).ConfigureAwait(false);
        return composer.Compose(published) with { Archive = reports.ArchiveLink() };
    }

    /// <summary>
    /// The digest as an Email channel would send it (the PDF attached up to <see cref="EmailOptions.MaxAttachmentBytes"/>),
    /// written to <c>{dir}/email.eml</c> and <c>{dir}/email.html</c>; nothing is sent.
    /// </summary>
    public async Task<EmailPreview> WriteEmailAsync(DigestMessage message, EmailOptions email, string outputDirectory, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(email);
        Directory.CreateDirectory(outputDirectory);
        var pdf = await reports.ReadAttachmentAsync(message.Period, message.Report, email.MaxAttachmentBytes, cancellationToken).ConfigureAwait(false);
        var payload = EmailRenderer.Render(message, email, PreviewDeliveryId, now, pdf);
        var eml = Path.Combine(outputDirectory, "email.eml");
        var html = Path.Combine(outputDirectory, "email.html");
        await payload.Message.WriteToAsync(eml, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(html, payload.Message.HtmlBody, cancellationToken).ConfigureAwait(false);
        return new EmailPreview(payload, eml, html, new FileInfo(eml).Length);
    }

    public async Task<IReadOnlyList<PreviewFile>> WriteAsync(DigestMessage message, string outputDirectory, Uri? chatSink = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Directory.CreateDirectory(outputDirectory);
        var files = new List<PreviewFile>();
        using var http = httpClients.CreateClient(nameof(DigestPreview));
        var dayKey = ReportCalendar.IsoDay(message.Day);
        foreach (var kind in ChatRenderer.ChatKinds)
        {
            var payload = ChatRenderer.For(kind).Render(message, PreviewDeliveryId);
            var path = Path.Combine(outputDirectory, kind.ToString().ToLowerInvariant() + ".json");
            await File.WriteAllTextAsync(path, JsonNode.Parse(payload.Json)!.ToJsonString(Indented) + "\n", cancellationToken).ConfigureAwait(false);
            DigestLog.PreviewWritten(logger, dayKey, kind, path, payload.Bytes);

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
