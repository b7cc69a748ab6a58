using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace IncidentFunctions.Channels;

/// <summary>A rendered webhook body.</summary>
/// <param name="IncidentsShown">Incidents listed by name.</param>
/// <param name="IncidentsOmitted">Incidents the message counts but does not list ("N more in the report").</param>
public sealed record ChatPayload(ChannelKind Kind, string Json, int IncidentsShown, int IncidentsOmitted)
{
    public int Bytes => Encoding.UTF8.GetByteCount(Json);
}

/// <summary>
/// Turns a <see cref="ChatMessage"/> into one platform's webhook body within that platform's limits. When the full
/// message does not fit, incidents are dropped from the least important end and the message says how many more the
/// report holds; figures, the coverage warning and the report link are never dropped.
/// </summary>
public abstract class ChatRenderer
{
    /// <summary>Non-ASCII text stays readable; HTML-sensitive characters are still escaped in the JSON.</summary>
    internal static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    private static readonly ChatRenderer[] All = [new SlackRenderer(), new TeamsRenderer(), new DiscordRenderer(), new GenericRenderer()];

    public abstract ChannelKind Kind { get; }

    /// <summary>The chat kinds, each with its renderer (an Email channel is rendered by <see cref="EmailRenderer"/>).</summary>
    public static IReadOnlyList<ChannelKind> ChatKinds { get; } = [.. All.Select(r => r.Kind)];

    public static ChatRenderer For(ChannelKind kind)
        => All.FirstOrDefault(r => r.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a chat channel kind.");

    /// <summary>The body to POST. <paramref name="deliveryId"/> is carried by the generic schema (receivers deduplicate on it).</summary>
    public ChatPayload Render(ChatMessage message, string deliveryId)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (listed, total) = message switch
        {
            DigestMessage d => (d.TopIncidents.Count, d.Figures.Incidents),
            AlertMessage a => (a.Incidents.Count, a.Total),
            _ => throw new ArgumentException($"Unknown message type {message.GetType().Name}.", nameof(message)),
        };

        for (var shown = listed; shown >= 0; shown--)
        {
            var omitted = Math.Max(0, total - shown);
            var node = message switch
            {
                DigestMessage d => RenderDigest(d, shown, omitted, deliveryId),
                AlertMessage a => RenderAlert(a, shown, omitted, deliveryId),
                _ => throw new UnreachableException(),
            };
            var json = node.ToJsonString(Json);
            if (Fits(node, json)) return new ChatPayload(Kind, json, shown, omitted);
        }

        throw new InvalidOperationException($"A {Kind} message does not fit the platform's limits even without incidents.");
    }

    private protected abstract JsonObject RenderDigest(DigestMessage message, int shown, int omitted, string deliveryId);

    private protected abstract JsonObject RenderAlert(AlertMessage message, int shown, int omitted, string deliveryId);

    /// <summary>True when the rendered body is within the platform's documented limits (with a safety margin).</summary>
    private protected abstract bool Fits(JsonObject payload, string json);
}
