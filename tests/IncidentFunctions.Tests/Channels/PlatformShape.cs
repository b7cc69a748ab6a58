using System.Text;
using System.Text.Json.Nodes;
using IncidentFunctions.Channels;

namespace IncidentFunctions.Tests.Channels;

/// <summary>
/// What each platform documents about a webhook body (shared/reference/chat-webhooks.md), checked independently of the
/// renderers' own limit constants: the fake platforms answer 400 when a body breaks it, as the real ones do.
/// </summary>
internal static class PlatformShape
{
    public static List<string> Check(ChannelKind kind, string json)
    {
        var errors = new List<string>();
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json)!.AsObject();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return [$"not a JSON object: {ex.Message}"];
        }

        switch (kind)
        {
            case ChannelKind.Slack: Slack(root, json, errors); break;
            case ChannelKind.Teams: Teams(root, json, errors); break;
            case ChannelKind.Discord: Discord(root, errors); break;
            case ChannelKind.Generic: Generic(root, errors); break;
        }

        return errors;
    }

    private static void Slack(JsonObject root, string json, List<string> errors)
    {
        if (root["text"]?.GetValue<string>() is not { Length: > 0 }) errors.Add("no top-level text fallback");
        if (root["blocks"] is not JsonArray blocks)
        {
            errors.Add("no blocks");
            return;
        }

        if (blocks.Count > 50) errors.Add($"{blocks.Count} blocks > 50");
        if (json.Length > 40_000) errors.Add($"message {json.Length} > 40,000 chars");
        foreach (var block in blocks.Select(b => b!.AsObject()))
        {
            var type = block["type"]?.GetValue<string>();
            switch (type)
            {
                case "header":
                    if (block["text"]?["type"]?.GetValue<string>() != "plain_text") errors.Add("header text must be plain_text");
                    if (block["text"]?["text"]?.GetValue<string>().Length > 150) errors.Add("header > 150 chars");
                    break;
                case "section":
                    var text = block["text"]?["text"]?.GetValue<string>() ?? "";
                    if (text.Length is 0 or > 3_000) errors.Add($"section text length {text.Length} not in 1..3,000");
                    if (block["text"]?["type"]?.GetValue<string>() == "mrkdwn" && block["text"]?["verbatim"]?.GetValue<bool>() != true) errors.Add("mrkdwn section without verbatim");
                    break;
                case "context":
                    if (block["elements"] is not JsonArray { Count: > 0 and <= 10 }) errors.Add("context needs 1..10 elements");
                    break;
                case "actions":
                    foreach (var e in block["elements"]!.AsArray())
                    {
                        if (e!["url"]?.GetValue<string>() is not { Length: > 0 and <= 3_000 }) errors.Add("button url missing or > 3,000");
                        if (e["text"]?["text"]?.GetValue<string>().Length > 75) errors.Add("button text > 75");
                    }

                    break;
                case "divider":
                    break;
                default:
                    errors.Add($"unexpected block type {type}");
                    break;
            }
        }
    }

    private static void Teams(JsonObject root, string json, List<string> errors)
    {
        if (Encoding.UTF8.GetByteCount(json) > 28 * 1024) errors.Add($"body {Encoding.UTF8.GetByteCount(json)} bytes > 28 KB");
        if (root["type"]?.GetValue<string>() != "message") errors.Add("envelope type must be 'message'");
        if (root["attachments"] is not JsonArray { Count: 1 } attachments)
        {
            errors.Add("attachments must hold exactly one card");
            return;
        }

        var attachment = attachments[0]!;
        if (attachment["contentType"]?.GetValue<string>() != "application/vnd.microsoft.card.adaptive") errors.Add("wrong contentType");
        var card = attachment["content"];
        if (card?["type"]?.GetValue<string>() != "AdaptiveCard") errors.Add("Property 'type' must be 'AdaptiveCard'");
        if (card?["version"]?.GetValue<string>() != "1.4") errors.Add("card version must be 1.4");
        if (card?["$schema"] is null) errors.Add("card without $schema");
        foreach (var node in Walk(card))
        {
            var type = node["type"]?.GetValue<string>();
            if (type == "TextBlock" && node["wrap"]?.GetValue<bool>() != true) errors.Add("TextBlock without wrap: true");
            if (type is not null && type.StartsWith("Action.", StringComparison.Ordinal) && type != "Action.OpenUrl") errors.Add($"action {type} (only Action.OpenUrl renders)");
        }
    }

    private static void Discord(JsonObject root, List<string> errors)
    {
        if (root["content"]?.GetValue<string>().Length > 2_000) errors.Add("content > 2,000");
        if (root["allowed_mentions"]?["parse"] is not JsonArray { Count: 0 }) errors.Add("allowed_mentions.parse must be []");
        if (root["embeds"] is not JsonArray embeds) return;
        if (embeds.Count > 10) errors.Add("more than 10 embeds");
        var total = 0;
        foreach (var embed in embeds.Select(e => e!.AsObject()))
        {
            foreach (var forbidden in new[] { "type", "provider", "video" })
            {
                if (embed.ContainsKey(forbidden)) errors.Add($"embed has '{forbidden}'");
            }

            total += Limit(embed["title"], 256, "title", errors) + Limit(embed["description"], 4_096, "description", errors)
                     + Limit(embed["footer"]?["text"], 2_048, "footer", errors) + Limit(embed["author"]?["name"], 256, "author", errors);
            if (embed["fields"] is JsonArray fields)
            {
                if (fields.Count > 25) errors.Add("more than 25 fields");
                foreach (var field in fields)
                {
                    var name = Limit(field!["name"], 256, "field name", errors);
                    var value = Limit(field["value"], 1_024, "field value", errors);
                    if (name == 0 || value == 0) errors.Add("empty field name or value");
                    total += name + value;
                }
            }
        }

        if (total > 6_000) errors.Add($"embeds total {total} > 6,000");
    }

    private static void Generic(JsonObject root, List<string> errors)
    {
        if (root["schema"]?.GetValue<string>() != GenericRenderer.Schema) errors.Add("schema missing");
        if (root["deliveryId"]?.GetValue<string>() is not { Length: > 0 }) errors.Add("deliveryId missing");
        if (root["type"]?.GetValue<string>() is not ("daily_digest" or "weekly_digest" or "monthly_digest" or "incident_alert" or "incident_rollup")) errors.Add("unknown type");
    }

    private static int Limit(JsonNode? node, int max, string what, List<string> errors)
    {
        var length = node?.GetValue<string>().Length ?? 0;
        if (length > max) errors.Add($"{what} {length} > {max}");
        return length;
    }

    public static IEnumerable<JsonObject> Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                yield return o;
                foreach (var (_, child) in o)
                {
                    foreach (var inner in Walk(child)) yield return inner;
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var inner in Walk(child)) yield return inner;
                }

                break;
        }
    }

    /// <summary>Every string value in the document, with the name of the property holding it.</summary>
    public static IEnumerable<(string Property, string Value)> Strings(JsonNode? node, string property = "")
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    foreach (var s in Strings(child, name)) yield return s;
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var s in Strings(child, property)) yield return s;
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                yield return (property, text);
                break;
        }
    }
}
