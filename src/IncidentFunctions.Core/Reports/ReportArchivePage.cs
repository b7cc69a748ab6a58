using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using IncidentFunctions.Calendar;
using IncidentFunctions.Text;
using IncidentFunctions.Vocabulary;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// Renders the archive page: plain server-side HTML, no scripts, no external assets, one inline stylesheet allowed by
/// its hash in the Content-Security-Policy (so nothing injected could style or script the page). Tables have captions
/// and header cells with scope; every link says what it opens; below 640 px the table becomes one block per period.
/// Attacker text (the security issue titles) is sanitised, bounded and HTML-encoded.
/// </summary>
public static class ReportArchivePage
{
    private const int IssueChars = 90;

    private const string Style = """
        :root{color-scheme:light}
        *{box-sizing:border-box}
        body{margin:0;background:#f3f5f8;color:#1b2330;font:15px/1.45 "Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif}
        header{background:#12365c;color:#fff;padding:16px}
        header>div{max-width:1068px;margin:0 auto}
        header h1{margin:0;font-size:22px;font-weight:600}
        header p{margin:4px 0 0;color:#d7e3f1;font-size:14px}
        header p.marking{margin:0 0 4px;color:#fff;font-weight:700;letter-spacing:.04em}
        main{max-width:1100px;margin:0 auto;padding:12px 16px 24px}
        nav ul{list-style:none;margin:8px 0 12px;padding:0;display:flex;flex-wrap:wrap;gap:6px}
        nav a{display:inline-block;padding:6px 12px;border:1px solid #c3ccd9;border-radius:16px;background:#fff;color:#1f5fa8;text-decoration:none}
        nav a[aria-current=page]{background:#1f5fa8;border-color:#1f5fa8;color:#fff;font-weight:600}
        a{color:#1f5fa8}
        a:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
        h2{font-size:18px;margin:16px 0 8px}
        table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d5dbe5}
        caption{text-align:left;padding:0 0 6px;color:#4a5568;font-size:14px}
        th,td{padding:8px 10px;border-bottom:1px solid #e3e7ee;text-align:left;vertical-align:top}
        thead th{background:#eef2f7;font-size:13px;color:#39465a;white-space:nowrap}
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        th[scope=row]{white-space:nowrap;font-weight:600}
        .issue{overflow-wrap:anywhere;max-width:320px}
        .ok{color:#1e6b34}.warn{color:#8a4b00;font-weight:600}.muted{color:#5a6577}
        .pager{display:flex;justify-content:space-between;gap:12px;margin:14px 0}
        footer{color:#5a6577;font-size:13px;margin-top:16px}
        .vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        @media (max-width:640px){
        thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
        table,caption,tbody,tr,th,td{display:block;width:100%}
        table{border:0;background:none}
        tr{background:#fff;border:1px solid #d5dbe5;border-radius:6px;margin:0 0 10px;padding:6px 0}
        th[scope=row]{border-bottom:1px solid #e3e7ee;font-size:16px}
        td{border:0;padding:3px 10px;text-align:left}
        td.n{text-align:left}
        td[data-label]::before{content:attr(data-label) ": ";color:#5a6577}
        .issue{max-width:none}
        }
        """;

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>
    /// The page's Content-Security-Policy: nothing but its own inline stylesheet (by hash); no scripts, images, fonts,
    /// frames, form targets or base changes.
    /// </summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src '{StyleHash()}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static string Render(ArchivePageModel page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var monthName = MonthName(page.Month);
        var sb = new StringBuilder(16_384);
        sb.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex, nofollow\">")
            .Append("<title>").Append(E(ReportMarking.Prefixed(page.Marking, $"Incident reports – {monthName}"))).Append("</title><style>").Append(Style).Append("</style></head>\n<body>\n");
        sb.Append("<header><div>");
        // The reports' handling marking (TLP:AMBER…) before anything from them, as on every page of the PDFs.
        if (page.Marking is { } marking) sb.Append("<p class=\"marking\">").Append(E(marking)).Append("</p>");
        sb.Append("<h1>Incident reports</h1><p>").Append(E(Bound(page.Title, 120))).Append(" · report days in ").Append(E(page.TimeZone)).Append("</p></div></header>\n<main>\n");

        sb.Append("<nav aria-label=\"Months\"><ul>");
        foreach (var m in page.Months)
        {
            sb.Append("<li><a href=\"").Append(E(m.Href)).Append('"');
            if (m.Month == page.Month) sb.Append(" aria-current=\"page\"");
            sb.Append('>').Append(E(MonthName(m.Month))).Append("</a></li>");
        }

        sb.Append("</ul></nav>\n");

        foreach (var section in page.Sections)
        {
            var heading = section.Kind == PeriodKind.Week ? $"Weekly reports – weeks starting in {monthName}" : $"{SectionName(section.Kind)} – {monthName}";
            sb.Append("<section aria-labelledby=\"s-").Append(E(section.Kind.ToString())).Append("\"><h2 id=\"s-").Append(E(section.Kind.ToString())).Append("\">").Append(E(heading)).Append("</h2>\n");
            if (section.Entries.Count == 0)
            {
                sb.Append("<p class=\"muted\">No reports in this month.</p></section>\n");
                continue;
            }

            sb.Append("<table><caption>").Append(E($"{Numbers.Count(section.Entries.Count, "report", "reports")}, newest first. Links open the signed report and expire {Utc(page.LinksExpireAt)}.")).Append("</caption>\n")
                .Append("<thead><tr><th scope=\"col\">").Append(E(PeriodColumn(section.Kind))).Append("</th><th scope=\"col\">Incidents</th><th scope=\"col\">Hits</th><th scope=\"col\">Status</th><th scope=\"col\">Coverage</th><th scope=\"col\">Top security issue</th><th scope=\"col\">Files</th></tr></thead>\n<tbody>\n");
            foreach (var entry in section.Entries) Row(sb, entry);
            sb.Append("</tbody></table></section>\n");
        }

        sb.Append("<div class=\"pager\">");
        sb.Append(page.Newer is { } newer ? $"<a href=\"{E(newer.Href)}\">← Newer: {E(MonthName(newer.Month))}</a>" : "<span></span>");
        sb.Append(page.Older is { } older ? $"<a href=\"{E(older.Href)}\">Older: {E(MonthName(older.Month))} →</a>" : "<span></span>");
        sb.Append("</div>\n");
        sb.Append("<footer><p>").Append(E($"Generated {Utc(page.GeneratedAt)}. The links on this page stop working at {Utc(page.LinksExpireAt)}; open the page again for new ones.")).Append("</p></footer>\n");
        sb.Append("</main>\n</body></html>\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, ArchiveEntry e)
    {
        var key = ReportPeriod.Of(e.Kind, e.Start).Key;
        var (shown, note, name) = e.Kind switch
        {
            PeriodKind.Day => (key, e.Start.ToString("ddd", System.Globalization.CultureInfo.InvariantCulture), Dates.LongDay(e.Start)),
            PeriodKind.Week => (key, Dates.DaySpan(e.Start, e.End), $"week {key} ({Dates.DaySpan(e.Start, e.End)})"),
            _ => (MonthName(e.Start.ToYearMonth()), "", MonthName(e.Start.ToYearMonth())),
        };
        sb.Append("<tr><th scope=\"row\"><time datetime=\"").Append(E(key)).Append("\">").Append(E(shown)).Append("</time>");
        if (note.Length > 0) sb.Append(" <span class=\"muted\">").Append(E(note)).Append("</span>");
        sb.Append("</th>");
        sb.Append("<td class=\"n\" data-label=\"Incidents\">").Append(E(Numbers.Number(e.Incidents))).Append("</td>");
        sb.Append("<td class=\"n\" data-label=\"Hits\">").Append(E(Numbers.Number(e.Hits))).Append("</td>");
        var mix = Labels.StatusOrder.Where(s => e.Statuses.GetValueOrDefault(s) > 0).Select(s => $"{Labels.Status(s)} {Numbers.Number(e.Statuses[s])}").ToList();
        sb.Append("<td data-label=\"Status\">").Append(mix.Count == 0 ? "<span class=\"muted\">–</span>" : E(string.Join(", ", mix))).Append("</td>");
        sb.Append("<td data-label=\"Coverage\">").Append(Coverage(e.Coverage, e.Kind)).Append("</td>");
        sb.Append("<td class=\"issue\" data-label=\"Top issue\">").Append(e.TopIssue is { } issue ? E(UntrustedText.Inert(issue, IssueChars)) : "<span class=\"muted\">–</span>").Append("</td>");
        sb.Append("<td data-label=\"Files\">");
        foreach (var file in e.Files)
        {
            sb.Append("<a href=\"").Append(E(file.Href)).Append("\">").Append(E(file.Format)).Append("<span class=\"vh\"> ").Append(E(file.What)).Append(" of ").Append(E(name)).Append("</span></a> ");
        }

        sb.Append("</td></tr>\n");
    }

    private static string Coverage(ArchiveCoverage coverage, PeriodKind kind) => coverage switch
    {
        ArchiveCoverage.Complete => "<span class=\"ok\">Complete</span>",
        ArchiveCoverage.InProgress => $"<span class=\"muted\">{PeriodColumn(kind)} in progress</span>",
        ArchiveCoverage.Gaps => "<span class=\"warn\">Data gaps</span>",
        _ => "<span class=\"warn\">Not pulled</span>",
    };

    private static string SectionName(PeriodKind kind) => kind switch
    {
        PeriodKind.Month => "Monthly report",
        PeriodKind.Week => "Weekly reports",
        _ => "Daily reports",
    };

    private static string PeriodColumn(PeriodKind kind) => kind switch
    {
        PeriodKind.Month => "Month",
        PeriodKind.Week => "Week",
        _ => "Day",
    };

    private static string Utc(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    private static string MonthName(YearMonth month) => month.ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static string Bound(string text, int max) => UntrustedText.Sanitize(text, max);

    private static string E(string text) => Html.Encode(text);

    private static string StyleHash() => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)));
}
