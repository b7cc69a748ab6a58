using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Text;

namespace IncidentFunctions.Channels;

/// <summary>
/// The generic webhook's JSON (schema <c>incidentfunctions.webhook.v1</c>, documented in docs/webhook-schema.md):
/// data, not presentation. Strings from attackers are sanitised and bounded but not escaped for any markup; the
/// receiver must treat them as untrusted. The body is signed by <see cref="WebhookSigner"/>.
/// </summary>
public sealed class GenericRenderer : ChatRenderer
{
    public const string Schema = "incidentfunctions.webhook.v1";

    /// <summary>A receiver-friendly upper bound; the content is far below it.</summary>
    internal const int MaxBodyBytes = 256 * 1024;

    public override ChannelKind Kind => ChannelKind.Generic;

    private protected override JsonObject RenderDigest(DigestMessage m, int shown, int omitted, string deliveryId)
    {
        var incidents = new JsonArray();
        foreach (var i in m.TopIncidents.Take(shown)) incidents.Add(Incident(i));
        var body = new JsonObject
        {
            ["schema"] = Schema,
            ["type"] = m.Kind switch { PeriodKind.Week => "weekly_digest", PeriodKind.Month => "monthly_digest", _ => "daily_digest" },
            ["deliveryId"] = deliveryId,
            ["generatedAt"] = Instant(m.GeneratedAt),
        };
        if (m.Kind == PeriodKind.Day) body["day"] = ReportCalendar.IsoDay(m.Day);
        else body["period"] = new JsonObject { ["kind"] = m.Kind == PeriodKind.Week ? "week" : "month", ["key"] = m.Period.Key, ["firstDay"] = ReportCalendar.IsoDay(m.Period.First), ["lastDay"] = ReportCalendar.IsoDay(m.Period.Last) };
        body["timeZone"] = m.TimeZone;
        body["title"] = m.Title;
        if (m.Marking is { } marking) body["marking"] = marking;
        body["figures"] = Figures(m.Figures);
        body["previousFigures"] = Figures(m.PreviousFigures);
        body["topIncidents"] = incidents;
        body["incidentsNotListed"] = omitted;
        body["coverage"] = Coverage(m.Coverage);
        // The period the previous figures come from; not complete means the changes compare with a partial one.
        body["previousCoverage"] = Coverage(m.PreviousCoverage);
        body["sourcesEnriched"] = m.SourcesEnriched;
        if (m.Trends is { } trends) body["trends"] = Trends(trends);
        body["report"] = new JsonObject
        {
            ["url"] = m.Report.Url.AbsoluteUri,
            ["expiresAt"] = Instant(m.Report.ExpiresAt),
            ["sha256"] = m.Report.Sha256,
            ["bytes"] = m.Report.Bytes,
            ["pages"] = m.Report.Pages,
        };
        if (m.Archive is { } archive) body["archive"] = new JsonObject { ["url"] = archive.Url.AbsoluteUri, ["expiresAt"] = Instant(archive.ExpiresAt) };
        return body;
    }

    private static JsonObject Trends(PeriodTrends t) => new()
    {
        ["recurringAttackers"] = t.RecurringAttackers,
        ["topRecurring"] = new JsonArray([.. t.TopRecurring.Select(r => (JsonNode)new JsonObject
        {
            ["ip"] = Text(r.Ip, IncidentLines.IpChars),
            ["days"] = r.Days,
            ["hits"] = r.Hits,
            ["country"] = Text(r.Country, IncidentLines.CountryChars),
            ["sourceType"] = Text(r.SourceType, IncidentLines.SourceTypeChars),
        })]),
        ["newSecurityIssues"] = t.NewIssues,
        ["stillExploitedSecurityIssues"] = t.StillExploitedIssues,
        ["busiestDay"] = t.BusiestDay is { } b ? new JsonObject { ["day"] = ReportCalendar.IsoDay(b.Day), ["incidents"] = b.Incidents, ["hits"] = b.Hits } : null,
        ["sources"] = Mix(t.Sources),
        ["previousSources"] = Mix(t.PreviousSources),
    };

    /// <summary>Counts, not shares: receivers compute what they need; null before enrichment ran.</summary>
    private static JsonObject? Mix(SourceMix? s) => s is null ? null : new JsonObject { ["enriched"] = s.Known, ["tor"] = s.Tor, ["proxy"] = s.Proxy, ["cloud"] = s.Cloud, ["malicious"] = s.Malicious };

    private protected override JsonObject RenderAlert(AlertMessage m, int shown, int omitted, string deliveryId)
    {
        var incidents = new JsonArray();
        foreach (var i in m.Incidents.Take(shown)) incidents.Add(Incident(i));
        var body = new JsonObject
        {
            ["schema"] = Schema,
            ["type"] = m.IsRollup ? "incident_rollup" : "incident_alert",
            ["deliveryId"] = deliveryId,
            ["generatedAt"] = Instant(m.GeneratedAt),
            ["timeZone"] = m.TimeZone,
            ["incidents"] = incidents,
            ["incidentsNotListed"] = omitted,
        };
        if (m.Marking is { } marking) body["marking"] = marking;
        if (m.RollupInterval is { } window) body["interval"] = new JsonObject { ["from"] = Instant(window.From), ["to"] = Instant(window.To) };
        return body;
    }

    private protected override bool Fits(JsonObject payload, string json) => Encoding.UTF8.GetByteCount(json) <= MaxBodyBytes;

    private static JsonObject Coverage(CoverageGap? gap) => gap is null
        ? new JsonObject { ["complete"] = true, ["missingSeconds"] = 0, ["missing"] = new JsonArray(), ["unreadableRecords"] = 0 }
        : new JsonObject
        {
            ["complete"] = false,
            ["missingSeconds"] = (long)gap.MissingDuration.TotalSeconds,
            ["missing"] = new JsonArray([.. gap.Missing.Select(w => (JsonNode)new JsonObject { ["from"] = Instant(w.From), ["to"] = Instant(w.To) })]),
            ["unreadableRecords"] = gap.UnreadableRecords,
        };

    private static JsonObject Figures(DigestFigures f) => new()
    {
        ["incidents"] = f.Incidents,
        ["hits"] = f.Hits,
        ["uniqueSourceIps"] = f.UniqueSourceIps,
        ["byStatus"] = new JsonObject
        {
            ["blocked"] = f.Blocked,
            ["partiallyBlocked"] = f.PartiallyBlocked,
            ["monitoring"] = f.Monitoring,
            ["unknown"] = f.Unknown,
        },
    };

    private static JsonObject Incident(IncidentSummary i) => new()
    {
        ["id"] = Text(i.Id, 120),
        ["attackType"] = Text(i.AttackType, IncidentLines.AttackTypeChars),
        ["status"] = i.Status switch
        {
            IncidentStatus.Blocked => "blocked",
            IncidentStatus.PartiallyBlocked => "partially_blocked",
            IncidentStatus.Monitoring => "monitoring",
            _ => "unknown",
        },
        ["hits"] = i.Hits,
        ["firstSeen"] = Instant(i.FirstSeen),
        ["lastSeen"] = Instant(i.LastSeen),
        ["method"] = Text(i.Method, 16),
        ["domain"] = Text(i.Domain, 255),
        ["path"] = Text(i.Path, 1_000),
        ["securityIssue"] = new JsonObject
        {
            ["id"] = i.VulnerabilityId,
            ["title"] = Text(IncidentLines.Issue(i), 300),
            ["consoleUrl"] = i.ConsoleLink?.AbsoluteUri,
        },
        ["topIp"] = i.TopIp is null
            ? null
            : new JsonObject
            {
                ["ip"] = Text(i.TopIp, IncidentLines.IpChars),
                ["country"] = Text(i.Country, IncidentLines.CountryChars),
                ["sourceType"] = Text(i.SourceType, IncidentLines.SourceTypeChars),
                ["maliciousLists"] = new JsonArray([.. i.MaliciousLists.Take(10).Select(l => (JsonNode)JsonValue.Create(Text(l, IncidentLines.ListChars))!)]),
            },
    };

    private static string? Text(string? value, int max) => value is null ? null : UntrustedText.Sanitize(value, max);

    private static string Instant(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
