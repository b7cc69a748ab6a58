using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Channels;

/// <summary>
/// Discord webhook: a short <c>content</c> line (≤ 2,000) and embeds within the documented limits — title 256,
/// description 4,096, ≤ 25 fields (name 256, value 1,024), footer 2,048, ≤ 6,000 characters over all embeds (kept
/// under 5,800). <c>allowed_mentions</c> is <c>{"parse": []}</c>, so nothing in the message can ping anyone; untrusted
/// text is additionally only placed in inline code, where markdown and masked links are not parsed.
/// </summary>
public sealed class DiscordRenderer : ChatRenderer
{
    internal const int MaxContentChars = 2_000;
    internal const int MaxEmbeds = 10;
    internal const int MaxEmbedChars = 5_800;
    internal const int MaxTitleChars = 256;
    internal const int MaxDescriptionChars = 4_096;
    internal const int MaxFields = 25;
    internal const int MaxFieldNameChars = 256;
    internal const int MaxFieldValueChars = 1_024;
    internal const int MaxFooterChars = 2_048;

    private const int Blue = 0x3B82F6;
    private const int Amber = 0xF59E0B;
    private const int Red = 0xDC2626;

    public override ChannelKind Kind => ChannelKind.Discord;

    private protected override JsonObject RenderDigest(DigestMessage m, int shown, int omitted, string deliveryId)
    {
        var f = m.Figures;
        var p = m.PreviousFigures;
        var description = new StringBuilder()
            .Append("**").Append(MessageLines.Incidents(m)).Append("**\n")
            .Append(MessageLines.Hits(m)).Append('\n')
            .Append(MessageLines.SourceIps(m)).Append('\n')
            .Append(MessageLines.StatusLine(f));
        if (m.Coverage is { } gap) description.Append("\n\n:warning: **").Append(MessageLines.CoverageLine(gap)).Append("**");
        if (m.PreviousCoverage is { } previousGap) description.Append("\n*").Append(MessageLines.PreviousCoverageLine(previousGap, m)).Append('*');
        if (m.Trends is { } trends)
        {
            description.Append("\n\n**").Append(MessageLines.TrendsHeading).Append("**");
            foreach (var line in MessageLines.TrendLines(m)) description.Append('\n').Append(line);
            if (trends.TopRecurring.Count > 0)
            {
                description.Append("\n**").Append(MessageLines.RecurringHeading).Append("**");
                foreach (var r in trends.TopRecurring)
                {
                    description.Append('\n').AppendJoin(" · ", MessageLines.RecurringParts(r).Select(p => ChatText.DiscordCode(p.Text, p.Max)).Append(MessageLines.RecurringFigures(r)));
                }
            }
        }

        description.Append("\n\n[Open the PDF report](").Append(m.Report.Url.AbsoluteUri).Append(')');
        if (m.Archive is { } archive) description.Append(" · [").Append(MessageLines.ArchiveLabel).Append("](").Append(archive.Url.AbsoluteUri).Append(')');

        var summary = new JsonObject
        {
            ["title"] = ChatText.Bound($"{ChatText.DiscordEscape(m.Title)} — {MessageLines.PeriodName(m)}", MaxTitleChars),
            ["url"] = m.Report.Url.AbsoluteUri,
            ["description"] = ChatText.Bound(description.ToString(), MaxDescriptionChars),
            ["color"] = m.Coverage is null ? Blue : Amber,
            ["footer"] = new JsonObject { ["text"] = ChatText.Bound(MessageLines.ReportFooter(m), MaxFooterChars) },
            ["timestamp"] = m.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        var embeds = new JsonArray { summary };
        if (shown > 0 || omitted > 0)
        {
            var fields = new JsonArray();
            for (var i = 0; i < shown; i++) fields.Add(Field(m.TopIncidents[i], i + 1));
            var incidents = new JsonObject { ["title"] = "Top incidents", ["color"] = Blue, ["fields"] = fields };
            if (omitted > 0) incidents["description"] = MessageLines.MoreInReport(omitted);
            embeds.Add(incidents);
        }

        var content = $"**{ChatText.DiscordEscape(m.Title)}** {MessageLines.PeriodName(m)}: {MessageLines.Incidents(m)}"
                      + (m.Coverage is null ? "" : " (data gaps)");
        return Message(content, embeds);
    }

    private protected override JsonObject RenderAlert(AlertMessage m, int shown, int omitted, string deliveryId)
    {
        var fields = new JsonArray();
        for (var i = 0; i < shown; i++) fields.Add(Field(m.Incidents[i], m.IsRollup ? i + 1 : null));
        JsonObject embed;
        string content;
        if (m.IsRollup)
        {
            content = MessageLines.RollupTitle(m);
            embed = new JsonObject { ["title"] = "Incident roll-up", ["color"] = Amber, ["fields"] = fields };
            if (omitted > 0) embed["description"] = MessageLines.MoreInRollup(omitted);
        }
        else
        {
            var incident = m.Incidents[0];
            content = MessageLines.AlertFallback(m, incident);
            embed = new JsonObject
            {
                ["title"] = MessageLines.AlertTitle(m, incident),
                ["color"] = incident.Status == Incidents.IncidentStatus.Blocked ? Blue : Red,
                ["fields"] = fields,
                ["footer"] = new JsonObject { ["text"] = MessageLines.FirstHit(incident, m) },
            };
            if (incident.ConsoleLink is { } link) embed["url"] = link.AbsoluteUri;
        }

        return Message(content, new JsonArray { embed });
    }

    private protected override bool Fits(JsonObject payload, string json)
    {
        var embeds = payload["embeds"]!.AsArray();
        if (embeds.Count > MaxEmbeds || payload["content"]!.GetValue<string>().Length > MaxContentChars) return false;
        var total = 0;
        foreach (var embed in embeds)
        {
            var fields = embed!["fields"]?.AsArray() ?? [];
            if (fields.Count > MaxFields) return false;
            total += Length(embed["title"]) + Length(embed["description"]) + Length(embed["footer"]?["text"]);
            foreach (var field in fields)
            {
                var name = Length(field!["name"]);
                var value = Length(field["value"]);
                if (name > MaxFieldNameChars || value > MaxFieldValueChars) return false;
                total += name + value;
            }
        }

        return total <= MaxEmbedChars;
    }

    private static int Length(JsonNode? node) => node?.GetValue<string>().Length ?? 0;

    private static JsonObject Message(string content, JsonArray embeds) => new()
    {
        ["content"] = ChatText.Bound(content, MaxContentChars),
        ["embeds"] = embeds,
        // Nothing in a message from this app may ping: not @everyone/@here, not users, not roles.
        ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
    };

    private static JsonObject Field(IncidentSummary i, int? rank)
    {
        var value = new StringBuilder()
            .Append(ChatText.DiscordCode(i.AttackType, IncidentLines.AttackTypeChars))
            .Append(" on ").Append(ChatText.DiscordCode(IncidentLines.Target(i), IncidentLines.TargetChars))
            .Append("\nIssue: ").Append(ChatText.DiscordCode(IncidentLines.Issue(i), IncidentLines.IssueChars));
        if (i.ConsoleLink is { } link) value.Append(" · [Console](").Append(link.AbsoluteUri).Append(')');
        var parts = IncidentLines.SourceParts(i).Select(p => ChatText.DiscordCode(p.Text, p.Max)).ToList();
        if (parts.Count > 0)
        {
            value.Append("\nTop IP: ").AppendJoin(" · ", parts);
            if (i.SourceType is null) value.Append(" · *").Append(Labels.NotEnriched).Append('*');
            var lists = IncidentLines.Lists(i);
            if (lists.Count > 0)
            {
                value.Append(" · :rotating_light: ").Append(IncidentLines.MaliciousLabel).Append(' ')
                    .AppendJoin(", ", lists.Select(l => ChatText.DiscordCode(l, IncidentLines.ListChars)));
            }
        }

        var name = (rank is { } r ? $"{r}. " : "") + IncidentLines.Headline(i);
        return new JsonObject
        {
            ["name"] = ChatText.Bound(name, MaxFieldNameChars),
            ["value"] = ChatText.Bound(value.ToString(), MaxFieldValueChars),
            ["inline"] = false,
        };
    }
}
