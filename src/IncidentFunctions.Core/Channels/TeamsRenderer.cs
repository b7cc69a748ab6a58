using System.Text;
using System.Text.Json.Nodes;
using IncidentFunctions.Calendar;
using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Channels;

/// <summary>
/// Microsoft Teams Workflows webhook: the <c>{"type":"message","attachments":[…]}</c> envelope around an Adaptive
/// Card 1.4 (a bare card is refused). Teams allows 28 KB per message and one library found about 21 KB in practice,
/// so the body is kept under 20,000 bytes. Every TextBlock wraps. Untrusted text is only placed in RichTextBlock
/// TextRuns, which render no markdown; links are <c>Action.OpenUrl</c> to URLs the app built.
/// </summary>
public sealed class TeamsRenderer : ChatRenderer
{
    internal const int MaxBodyBytes = 20_000;

    public override ChannelKind Kind => ChannelKind.Teams;

    private protected override JsonObject RenderDigest(DigestMessage m, int shown, int omitted, string deliveryId)
    {
        var f = m.Figures;
        var p = m.PreviousFigures;
        var body = new JsonArray
        {
            Rich(Run($"{m.Title} — {MessageLines.PeriodName(m)}", bold: true, size: "Large")),
            Block($"Report {(m.Kind == PeriodKind.Day ? "day" : m.Kind == PeriodKind.Week ? "week" : "month")} in {m.TimeZone}", subtle: true),
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray
                {
                    Fact("Incidents", MessageLines.FigureValue(f.Incidents, p.Incidents, m)),
                    Fact("Hits", MessageLines.FigureValue(f.Hits, p.Hits, m)),
                    Fact("Unique source IPs", MessageLines.FigureValue(f.UniqueSourceIps, p.UniqueSourceIps, m)),
                    Fact("Status", MessageLines.StatusLine(f)),
                },
            },
        };
        if (m.Coverage is { } gap) body.Add(Block("⚠ " + MessageLines.CoverageLine(gap), color: "Warning", bold: true));
        if (m.PreviousCoverage is { } previousGap) body.Add(Block(MessageLines.PreviousCoverageLine(previousGap, m), subtle: true));
        if (m.Trends is { } trends)
        {
            body.Add(Block(MessageLines.TrendsHeading, bold: true, separator: true));
            foreach (var line in MessageLines.TrendLines(m)) body.Add(Block(line));
            if (trends.TopRecurring.Count > 0)
            {
                body.Add(Block(MessageLines.RecurringHeading, bold: true));
                foreach (var r in trends.TopRecurring) body.Add(Recurring(r));
            }
        }
        if (shown > 0)
        {
            body.Add(Block("Top incidents", bold: true, separator: true));
            for (var i = 0; i < shown; i++) body.Add(Incident(m.TopIncidents[i], i + 1));
        }

        if (omitted > 0) body.Add(Block(MessageLines.MoreInReport(omitted), subtle: true));
        body.Add(Block(MessageLines.ReportFooter(m), subtle: true, small: true, separator: true));
        var actions = new JsonArray { OpenUrl("Open the PDF report", m.Report.Url) };
        if (m.Archive is { } archive) actions.Add(OpenUrl(MessageLines.ArchiveLabel, archive.Url));
        return Envelope(body, actions);
    }

    private protected override JsonObject RenderAlert(AlertMessage m, int shown, int omitted, string deliveryId)
    {
        var body = new JsonArray();
        var actions = new JsonArray();
        if (m.IsRollup)
        {
            body.Add(Rich(Run(MessageLines.RollupTitle(m), bold: true, size: "Medium")));
            for (var i = 0; i < shown; i++) body.Add(Incident(m.Incidents[i], i + 1));
            if (omitted > 0) body.Add(Block(MessageLines.MoreInRollup(omitted), subtle: true));
        }
        else
        {
            var incident = m.Incidents[0];
            body.Add(Rich(Run(MessageLines.AlertTitle(m, incident), bold: true, size: "Medium")));
            body.Add(Incident(incident, null));
            body.Add(Block(MessageLines.FirstHit(incident, m), subtle: true, small: true));
            if (incident.ConsoleLink is { } link) actions.Add(OpenUrl("Open in Wallarm Console", link));
        }

        return Envelope(body, actions);
    }

    private protected override bool Fits(JsonObject payload, string json) => Encoding.UTF8.GetByteCount(json) <= MaxBodyBytes;

    private static JsonObject Envelope(JsonArray body, JsonArray actions)
    {
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["msteams"] = new JsonObject { ["width"] = "Full" },
            ["body"] = body,
        };
        if (actions.Count > 0) card["actions"] = actions;
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject
                {
                    ["contentType"] = "application/vnd.microsoft.card.adaptive",
                    ["contentUrl"] = null,
                    ["content"] = card,
                },
            },
        };
    }

    private static JsonObject Incident(IncidentSummary i, int? rank)
    {
        var items = new JsonArray();
        var head = new List<JsonObject>();
        if (rank is { } r) head.Add(Run($"{r}. ", bold: true));
        head.Add(Run(ChatText.TeamsRun(i.AttackType, IncidentLines.AttackTypeChars), bold: true));
        head.Add(Run(" · " + IncidentLines.Headline(i)));
        items.Add(Rich([.. head]));
        items.Add(Rich(Run("Target: ", subtle: true), Run(ChatText.TeamsRun(IncidentLines.Target(i), IncidentLines.TargetChars))));
        var issue = new List<JsonObject> { Run("Issue: ", subtle: true), Run(ChatText.TeamsRun(IncidentLines.Issue(i), IncidentLines.IssueChars)) };
        if (i.ConsoleLink is { } link)
        {
            issue.Add(Run(" · "));
            var console = Run("Console");
            console["selectAction"] = OpenUrl("Open in Wallarm Console", link);
            issue.Add(console);
        }

        items.Add(Rich([.. issue]));
        var source = IncidentLines.SourceParts(i).ToList();
        if (source.Count > 0)
        {
            var runs = new List<JsonObject> { Run("Top IP: ", subtle: true) };
            for (var n = 0; n < source.Count; n++)
            {
                if (n > 0) runs.Add(Run(" · "));
                runs.Add(Run(ChatText.TeamsRun(source[n].Text, source[n].Max)));
            }

            if (i.SourceType is null) runs.Add(Run(" · " + Labels.NotEnriched, subtle: true));
            var lists = IncidentLines.Lists(i);
            if (lists.Count > 0)
            {
                runs.Add(Run(" · " + IncidentLines.MaliciousLabel + " ", bold: true, color: "Attention"));
                runs.Add(Run(string.Join(", ", lists.Select(l => ChatText.TeamsRun(l, IncidentLines.ListChars))), color: "Attention"));
            }

            items.Add(Rich([.. runs]));
        }

        return new JsonObject { ["type"] = "Container", ["separator"] = true, ["spacing"] = "Medium", ["items"] = items };
    }

    /// <summary>A recurring source: its IP, country and source type as TextRuns, then the app-built days and hits.</summary>
    private static JsonObject Recurring(RecurringSource r)
    {
        var runs = new List<JsonObject>();
        foreach (var (text, max) in MessageLines.RecurringParts(r))
        {
            if (runs.Count > 0) runs.Add(Run(" · "));
            runs.Add(Run(ChatText.TeamsRun(text, max)));
        }

        runs.Add(Run((runs.Count > 0 ? " · " : "") + MessageLines.RecurringFigures(r), subtle: true));
        return Rich([.. runs]);
    }

    /// <summary>A RichTextBlock: its TextRuns are plain text (no markdown), so untrusted text cannot format or link.</summary>
    private static JsonObject Rich(params JsonObject[] runs) => new() { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray([.. runs]) };

    private static JsonObject Run(string text, bool bold = false, bool subtle = false, string? size = null, string? color = null)
    {
        var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
        if (bold) run["weight"] = "Bolder";
        if (subtle) run["isSubtle"] = true;
        if (size is not null) run["size"] = size;
        if (color is not null) run["color"] = color;
        return run;
    }

    /// <summary>A TextBlock for app-built text only (TextBlocks render markdown).</summary>
    private static JsonObject Block(string text, bool subtle = false, bool bold = false, bool small = false, bool separator = false, string? color = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (subtle) block["isSubtle"] = true;
        if (bold) block["weight"] = "Bolder";
        if (small) block["size"] = "Small";
        if (separator) block["separator"] = true;
        if (color is not null) block["color"] = color;
        return block;
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };

    private static JsonObject OpenUrl(string title, Uri url) => new() { ["type"] = "Action.OpenUrl", ["title"] = title, ["url"] = url.AbsoluteUri };
}
