using System.Text;
using System.Text.Json.Nodes;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Channels;

/// <summary>
/// Slack incoming webhook: Block Kit <c>blocks</c> and a plain top-level <c>text</c> (what notifications and the
/// mentions view show). Limits: 50 blocks, 3,000 characters per section text, 150 per header; messages near 13,000
/// characters were observed failing with <c>msg_blocks_too_long</c>, so the body is kept under 12,000.
/// Untrusted text only appears in code spans of mrkdwn objects marked <c>verbatim</c> (no auto-linking or mention parsing).
/// </summary>
public sealed class SlackRenderer : ChatRenderer
{
    internal const int MaxBlocks = 50;
    internal const int MaxSectionChars = 3_000;
    internal const int MaxHeaderChars = 150;
    internal const int MaxBodyChars = 12_000;

    public override ChannelKind Kind => ChannelKind.Slack;

    private protected override JsonObject RenderDigest(DigestMessage m, int shown, int omitted, string deliveryId)
    {
        var f = m.Figures;
        var p = m.PreviousFigures;
        var blocks = new JsonArray
        {
            Header($"{m.Title} — {MessageLines.PeriodName(m)}"),
            Section(
                $"*{MessageLines.Incidents(m)}*\n"
                + $"{MessageLines.Hits(m)}\n"
                + $"{MessageLines.SourceIps(m)}\n"
                + MessageLines.StatusLine(f)),
        };
        if (m.Coverage is { } gap) blocks.Add(Section(":warning: *" + ChatText.SlackEscape(MessageLines.CoverageLine(gap)) + "*"));
        if (m.PreviousCoverage is { } previousGap) blocks.Add(Section("_" + ChatText.SlackEscape(MessageLines.PreviousCoverageLine(previousGap, m)) + "_"));
        if (m.Trends is { } trends)
        {
            blocks.Add(Section($"*{MessageLines.TrendsHeading}*\n" + string.Join("\n", MessageLines.TrendLines(m).Select(ChatText.SlackEscape))));
            if (trends.TopRecurring.Count > 0)
            {
                blocks.Add(Section($"*{MessageLines.RecurringHeading}*\n" + string.Join("\n", trends.TopRecurring.Select(Recurring))));
            }
        }
        if (shown > 0)
        {
            blocks.Add(new JsonObject { ["type"] = "divider" });
            blocks.Add(Section("*Top incidents*"));
            for (var i = 0; i < shown; i++) blocks.Add(Section(Incident(m.TopIncidents[i], i + 1)));
        }

        if (omitted > 0) blocks.Add(Context(MessageLines.MoreInReport(omitted)));
        blocks.Add(new JsonObject
        {
            ["type"] = "actions",
            ["elements"] = m.Archive is { } archive
                ? new JsonArray { Button("Open the PDF report", m.Report.Url, "primary"), Button(MessageLines.ArchiveLabel, archive.Url, null) }
                : new JsonArray { Button("Open the PDF report", m.Report.Url, "primary") },
        });
        blocks.Add(Context(MessageLines.ReportFooter(m)));

        var text = $"{m.Title} {MessageLines.PeriodName(m)}: {MessageLines.Incidents(m)}; {MessageLines.StatusLine(f)}"
                   + (m.Coverage is null ? "" : " (data gaps: figures are a lower bound)");
        return new JsonObject { ["text"] = ChatText.SlackEscape(text) + ". Report: " + ChatText.SlackLink(m.Report.Url, "PDF"), ["blocks"] = blocks };
    }

    private protected override JsonObject RenderAlert(AlertMessage m, int shown, int omitted, string deliveryId)
    {
        var blocks = new JsonArray();
        string text;
        if (m.IsRollup)
        {
            var title = MessageLines.RollupTitle(m);
            blocks.Add(Header(title));
            for (var i = 0; i < shown; i++) blocks.Add(Section(Incident(m.Incidents[i], i + 1)));
            if (omitted > 0) blocks.Add(Context(MessageLines.MoreInRollup(omitted)));
            text = title;
        }
        else
        {
            var incident = m.Incidents[0];
            blocks.Add(Header(MessageLines.AlertTitle(m, incident)));
            blocks.Add(Section(Incident(incident, null)));
            blocks.Add(Context(MessageLines.FirstHit(incident, m)));
            if (incident.ConsoleLink is { } link)
            {
                blocks.Add(new JsonObject { ["type"] = "actions", ["elements"] = new JsonArray { Button("Open in Wallarm Console", link, null) } });
            }

            text = MessageLines.AlertFallback(m, incident);
        }

        return new JsonObject { ["text"] = ChatText.SlackEscape(text), ["blocks"] = blocks };
    }

    private protected override bool Fits(JsonObject payload, string json)
    {
        var blocks = payload["blocks"]!.AsArray();
        return blocks.Count <= MaxBlocks
               && json.Length <= MaxBodyChars
               && blocks.All(b => b!["text"]?["text"]?.GetValue<string>().Length is null or <= MaxSectionChars);
    }

    private static string Incident(IncidentSummary i, int? rank)
    {
        var sb = new StringBuilder();
        if (rank is { } r) sb.Append('*').Append(r).Append(".* ");
        sb.Append(ChatText.SlackCode(i.AttackType, IncidentLines.AttackTypeChars)).Append(" · ").Append(ChatText.SlackEscape(IncidentLines.Headline(i)));
        sb.Append("\nTarget: ").Append(ChatText.SlackCode(IncidentLines.Target(i), IncidentLines.TargetChars));
        sb.Append("\nIssue: ").Append(ChatText.SlackCode(IncidentLines.Issue(i), IncidentLines.IssueChars));
        if (i.ConsoleLink is { } link) sb.Append(" · ").Append(ChatText.SlackLink(link, "Console"));
        var parts = IncidentLines.SourceParts(i).Select(p => ChatText.SlackCode(p.Text, p.Max)).ToList();
        if (parts.Count > 0)
        {
            sb.Append("\nTop IP: ").AppendJoin(" · ", parts);
            if (i.SourceType is null) sb.Append(" · _").Append(Labels.NotEnriched).Append('_');
            var lists = IncidentLines.Lists(i);
            if (lists.Count > 0)
            {
                sb.Append(" · :rotating_light: ").Append(IncidentLines.MaliciousLabel).Append(' ')
                    .AppendJoin(", ", lists.Select(l => ChatText.SlackCode(l, IncidentLines.ListChars)));
            }
        }

        return sb.ToString();
    }

    private static string Recurring(RecurringSource r)
        => string.Join(" · ", MessageLines.RecurringParts(r).Select(p => ChatText.SlackCode(p.Text, p.Max)).Append(ChatText.SlackEscape(MessageLines.RecurringFigures(r))));

    private static JsonObject Header(string text) => new()
    {
        ["type"] = "header",
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = ChatText.Bound(text, MaxHeaderChars), ["emoji"] = false },
    };

    /// <summary>mrkdwn with <c>verbatim</c>: Slack neither auto-links URLs nor parses mentions in it.</summary>
    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn, ["verbatim"] = true },
    };

    private static JsonObject Context(string plain) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray { new JsonObject { ["type"] = "plain_text", ["text"] = ChatText.Bound(plain, 2_000), ["emoji"] = false } },
    };

    private static JsonObject Button(string label, Uri url, string? style)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = label, ["emoji"] = false },
            ["url"] = url.AbsoluteUri,
        };
        if (style is not null) button["style"] = style;
        return button;
    }
}
