using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using IncidentFunctions.Calendar;
using IncidentFunctions.Vocabulary;
using MimeKit;

namespace IncidentFunctions.Channels;

/// <summary>The day's PDF, to attach to an email.</summary>
public sealed record EmailAttachment(string FileName, byte[] Content);

/// <summary>A rendered digest email.</summary>
/// <param name="Attached">True when the PDF is attached (else only linked).</param>
public sealed record EmailPayload(MimeMessage Message, int IncidentsShown, int IncidentsOmitted, bool Attached);

/// <summary>
/// Renders a <see cref="DigestMessage"/> as an email: an HTML body and a plain-text alternative with the same content
/// in the same words as chat and the PDF (<see cref="MessageLines"/>, <see cref="IncidentLines"/>, the shared
/// vocabulary), the day's PDF attached when given, and the signed link in both parts.
/// Safety: attacker text is sanitised, defanged and bounded as for chat (<see cref="ChatText.Neutralize"/>, so mail
/// clients cannot turn a host or URL into a link) and HTML-encoded in the HTML part; the HTML has no scripts, no
/// images and no external resources, and links only to URLs the app built (the signed report links, Console links
/// made from numeric ids). Every header is app-built: the subject from the configured title, the day and counts; the
/// Message-ID from the delivery id, so a retry under the same delivery id is recognisably the same message.
/// </summary>
public static class EmailRenderer
{
    /// <summary>Fallback domain of the Message-ID when the sender's domain is not plain ASCII.</summary>
    internal const string MessageIdDomain = "incidentfunctions.invalid";

    internal const string DeliveryHeader = "X-IncidentFunctions-Delivery";

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static EmailPayload Render(DigestMessage message, EmailOptions email, string deliveryId, DateTimeOffset now, EmailAttachment? pdf)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(email);
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        var shown = message.TopIncidents.Count;
        var omitted = Math.Max(0, message.Figures.Incidents - shown);

        if (!EmailAddresses.TryParseMailbox(email.From, out var from)) throw new InvalidOperationException("Email:From is not one address (checked at start-up).");
        from = new MailboxAddress(HeaderText(email.FromName, 100), from.Address);
        var mime = new MimeMessage
        {
            Subject = Subject(message),
            MessageId = MessageId(deliveryId, from.Domain),
            Date = now,
        };
        mime.From.Add(from);
        AddAll(mime.To, email.To);
        AddAll(mime.Cc, email.Cc);
        AddAll(mime.Bcc, email.Bcc);
        // Out-of-office and other automatic answers are not wanted for a machine-sent report (RFC 3834; Exchange).
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        mime.Headers.Add("X-Auto-Response-Suppress", "All");
        mime.Headers.Add(DeliveryHeader, deliveryId);

        var attached = pdf is not null;
        var body = new BodyBuilder
        {
            TextBody = Text(message, shown, omitted, attached),
            HtmlBody = HtmlBody(message, shown, omitted, attached, message.Report.Bytes > email.MaxAttachmentBytes),
        };
        if (pdf is not null) body.Attachments.Add(pdf.FileName, pdf.Content, new ContentType("application", "pdf"));
        mime.Body = body.ToMessageBody();
        return new EmailPayload(mime, shown, omitted, attached);
    }

    /// <summary>"Daily incident digest 2026-11-19: 42 incidents, 18,734 hits", plus "(data gaps)" when the day was not pulled whole.</summary>
    public static string Subject(DigestMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var subject = $"{HeaderText(m.Title, 120)} {Dates.Period(m.Period)}: {Numbers.Count(m.Figures.Incidents, "incident", "incidents")}, {Numbers.Count(m.Figures.Hits, "hit", "hits")}";
        return m.Coverage is null ? subject : subject + " (data gaps)";
    }

    /// <summary>The delivery id (letters, digits, '-') at the sender's domain; the same for every retry of a delivery.</summary>
    public static string MessageId(string deliveryId, string? senderDomain)
    {
        var domain = !string.IsNullOrEmpty(senderDomain) && senderDomain.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.') && !senderDomain.StartsWith('.') && !senderDomain.EndsWith('.')
            ? senderDomain.ToLowerInvariant()
            : MessageIdDomain;
        var local = new string(deliveryId.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' ? ch : '-').ToArray());
        return $"{local}@{domain}";
    }

    private static string Text(DigestMessage m, int shown, int omitted, bool attached)
    {
        var f = m.Figures;
        var p = m.PreviousFigures;
        var sb = new StringBuilder();
        sb.Append(HeaderText(m.Title, 120)).Append(" — ").AppendLine(LongName(m)).AppendLine(CultureInfo.InvariantCulture, $"Report time zone: {m.TimeZone}").AppendLine();
        if (m.Coverage is { } gap) sb.AppendLine("WARNING: " + MessageLines.CoverageLine(gap)).AppendLine();
        if (m.PreviousCoverage is { } previousGap) sb.AppendLine(MessageLines.PreviousCoverageLine(previousGap, m)).AppendLine();
        sb.AppendLine(MessageLines.Incidents(m)).AppendLine(MessageLines.Hits(m)).AppendLine(MessageLines.SourceIps(m)).AppendLine(MessageLines.StatusLine(m.Figures)).AppendLine();
        if (m.Trends is { } trends)
        {
            sb.AppendLine(MessageLines.TrendsHeading).AppendLine();
            foreach (var line in MessageLines.TrendLines(m)) sb.AppendLine(line);
            if (trends.TopRecurring.Count > 0)
            {
                sb.AppendLine().AppendLine(MessageLines.RecurringHeading);
                foreach (var r in trends.TopRecurring) sb.Append("- ").AppendJoin(" · ", MessageLines.RecurringParts(r).Select(x => Plain(x.Text, x.Max)).Append(MessageLines.RecurringFigures(r))).AppendLine();
            }

            sb.AppendLine();
        }
        if (shown > 0)
        {
            sb.AppendLine("Top incidents").AppendLine();
            for (var i = 0; i < shown; i++)
            {
                var incident = m.TopIncidents[i];
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1}. ").Append(Plain(incident.AttackType, IncidentLines.AttackTypeChars)).Append(" · ").AppendLine(IncidentLines.Headline(incident));
                sb.Append("   Target: ").AppendLine(Plain(IncidentLines.Target(incident), IncidentLines.TargetChars));
                sb.Append("   Issue: ").Append(Plain(IncidentLines.Issue(incident), IncidentLines.IssueChars));
                if (incident.ConsoleLink is { } console) sb.Append(" · Console: ").Append(console.AbsoluteUri);
                sb.AppendLine();
                var parts = IncidentLines.SourceParts(incident).Select(s => Plain(s.Text, s.Max)).ToList();
                if (parts.Count > 0)
                {
                    sb.Append("   Top IP: ").AppendJoin(" · ", parts);
                    if (incident.SourceType is null) sb.Append(" · ").Append(Labels.NotEnriched);
                    var lists = IncidentLines.Lists(incident);
                    if (lists.Count > 0) sb.Append(" · ").Append(IncidentLines.MaliciousLabel).Append(' ').AppendJoin(", ", lists.Select(l => Plain(l, IncidentLines.ListChars)));
                    sb.AppendLine();
                }

                sb.AppendLine();
            }
        }

        if (omitted > 0) sb.AppendLine(MessageLines.MoreInReport(omitted)).AppendLine();
        sb.AppendLine(attached ? "The PDF report is attached. Open it online (signed link):" : "Open the PDF report (signed link):");
        sb.AppendLine(m.Report.Url.AbsoluteUri);
        if (m.Archive is { } archive) sb.AppendLine().AppendLine("All reports (signed link):").AppendLine(archive.Url.AbsoluteUri);
        sb.AppendLine().AppendLine(MessageLines.ReportFooter(m));
        return sb.ToString();
    }

    private static string HtmlBody(DigestMessage m, int shown, int omitted, bool attached, bool tooLarge)
    {
        var f = m.Figures;
        var p = m.PreviousFigures;
        var title = HeaderText(m.Title, 120);
        var sb = new StringBuilder(8_192);
        sb.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><title>{E(title)}</title></head>
            <body style="margin:0;padding:0;background:#f3f5f8;color:#1b2330;font-family:'Segoe UI',Roboto,'Helvetica Neue',Arial,'Liberation Sans',sans-serif;font-size:15px;line-height:1.45">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f8;table-layout:fixed"><tr><td align="center" style="padding:16px 8px">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:680px;table-layout:fixed;background:#ffffff;border:1px solid #d5dbe5;border-radius:6px">
            <tr><td style="background:#12365c;color:#ffffff;padding:18px 22px;border-radius:6px 6px 0 0">
            <h1 style="margin:0;font-size:21px;font-weight:600">{E(title)}</h1>
            <p style="margin:4px 0 0;font-size:14px;color:#d7e3f1">{E(LongName(m))} · {E(m.TimeZone)}</p>
            </td></tr>
            """);
        if (m.Coverage is { } gap)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""<tr><td style="padding:14px 22px 0"><p role="alert" style="margin:0;padding:10px 12px;background:#fff4e0;border-left:4px solid #c77700;color:#5c3a00">{GapLine(MessageLines.CoverageLine(gap))}</p></td></tr>""");
        }

        if (m.PreviousCoverage is { } previousGap)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""<tr><td style="padding:10px 22px 0"><p style="margin:0;color:#5a6577;font-size:14px">{E(MessageLines.PreviousCoverageLine(previousGap, m))}</p></td></tr>""");
        }

        sb.Append("""
            <tr><td style="padding:16px 22px 4px">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">
            """);
        Figure(sb, "Incidents", f.Incidents, p.Incidents, MessageLines.Before(m), bold: true);
        Figure(sb, "Hits", f.Hits, p.Hits, MessageLines.Before(m), bold: false);
        Figure(sb, "Unique source IPs", f.UniqueSourceIps, p.UniqueSourceIps, MessageLines.Before(m), bold: false);
        sb.Append(CultureInfo.InvariantCulture, $"""
            </table>
            <p style="margin:10px 0 0;color:#39465a">{E(MessageLines.StatusLine(f))}</p>
            </td></tr>
            """);

        if (m.Trends is { } periodTrends) Trends(sb, m, periodTrends);

        if (shown > 0)
        {
            sb.Append("""<tr><td style="padding:14px 22px 0"><h2 style="margin:0 0 8px;font-size:17px;font-weight:600">Top incidents</h2>""");
            for (var i = 0; i < shown; i++) Incident(sb, m.TopIncidents[i], i + 1);
            sb.Append("</td></tr>");
        }

        if (omitted > 0) sb.Append(CultureInfo.InvariantCulture, $"""<tr><td style="padding:6px 22px 0;color:#5a6577">{E(MessageLines.MoreInReport(omitted))}</td></tr>""");

        sb.Append(CultureInfo.InvariantCulture, $"""
            <tr><td style="padding:18px 22px 6px">
            <a href="{A(m.Report.Url)}" style="display:inline-block;background:#1f5fa8;color:#ffffff;text-decoration:none;font-weight:600;padding:10px 16px;border-radius:4px">Open the PDF report for {E(Dates.Period(m.Period))}</a>
            <p style="margin:8px 0 0;font-size:13px;color:#5a6577">{E(attached ? "The PDF is attached to this email. The button opens it online through a signed link."
                : tooLarge ? "The PDF is not attached (too large); the button opens it through a signed link."
                : "The PDF is not attached (the report was updated after this digest was composed); the button opens the current one through a signed link.")}</p>
            """);
        if (m.Archive is { } archive)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""<p style="margin:8px 0 0;font-size:14px"><a href="{A(archive.Url)}" style="color:#1f5fa8">All reports (archive page)</a></p>""");
        }

        sb.Append(CultureInfo.InvariantCulture, $"""
            </td></tr>
            <tr><td style="padding:12px 22px 18px;font-size:12px;color:#6b7585;border-top:1px solid #e3e7ee;overflow-wrap:anywhere;word-wrap:break-word">{E(MessageLines.ReportFooter(m))}</td></tr>
            </table>
            </td></tr></table>
            </body></html>
            """);
        return sb.ToString();
    }

    /// <summary>The coverage warning with its lead words in bold (the line itself starts with them, as in chat).</summary>
    private static string GapLine(string line)
    {
        const string Lead = "Data gaps:";
        return line.StartsWith(Lead, StringComparison.Ordinal) ? $"<strong>{E(Lead)}</strong>{E(line[Lead.Length..])}" : E(line);
    }

    private static void Figure(StringBuilder sb, string label, long current, long previous, string before, bool bold)
    {
        var weight = bold ? "font-weight:600;" : "";
        sb.Append(CultureInfo.InvariantCulture, $"""<tr><th scope="row" align="left" style="padding:5px 0;border-bottom:1px solid #eef1f5;font-weight:normal;color:#39465a">{E(label)}</th><td align="right" style="padding:5px 12px;border-bottom:1px solid #eef1f5;{weight}font-size:17px">{E(Numbers.Number(current))}</td><td style="padding:5px 0;border-bottom:1px solid #eef1f5;color:#5a6577;font-size:13px">{E(Numbers.Change(current, previous))} vs. {E(before)}</td></tr>""");
    }

    /// <summary>"Thursday, 19 November 2026", "Week 2026-W48 (23–29 Nov 2026)", "November 2026".</summary>
    private static string LongName(DigestMessage m) => m.Kind == PeriodKind.Day ? Dates.LongDay(m.Day) : Dates.PeriodWithDays(m.Period);

    private static void Trends(StringBuilder sb, DigestMessage m, PeriodTrends trends)
    {
        const string Code = "font-family:Consolas,'Liberation Mono',Menlo,monospace;font-size:13px;background:#f1f3f7;padding:1px 4px;border-radius:3px;word-break:break-all";
        sb.Append(CultureInfo.InvariantCulture, $"""<tr><td style="padding:14px 22px 0"><h2 style="margin:0 0 8px;font-size:17px;font-weight:600">{E(MessageLines.TrendsHeading)}</h2><ul style="margin:0;padding-left:20px;color:#39465a">""");
        foreach (var line in MessageLines.TrendLines(m)) sb.Append("<li>").Append(E(line)).Append("</li>");
        sb.Append("</ul>");
        if (trends.TopRecurring.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""<h3 style="margin:12px 0 6px;font-size:15px;font-weight:600">{E(MessageLines.RecurringHeading)}</h3><ul style="margin:0;padding-left:20px;font-size:14px">""");
            foreach (var r in trends.TopRecurring)
            {
                sb.Append("<li>").AppendJoin(" · ", MessageLines.RecurringParts(r).Select(x => $"""<code style="{Code}">{U(x.Text, x.Max)}</code>""").Append(E(MessageLines.RecurringFigures(r)))).Append("</li>");
            }

            sb.Append("</ul>");
        }

        sb.Append("</td></tr>");
    }

    private static void Incident(StringBuilder sb, IncidentSummary i, int rank)
    {
        const string Code = "font-family:Consolas,'Liberation Mono',Menlo,monospace;font-size:13px;background:#f1f3f7;padding:1px 4px;border-radius:3px;word-break:break-all";
        sb.Append(CultureInfo.InvariantCulture, $"""<div style="padding:10px 0;border-top:1px solid #eef1f5">""");
        sb.Append(CultureInfo.InvariantCulture, $"""<p style="margin:0"><strong>{rank.ToString(CultureInfo.InvariantCulture)}.</strong> <code style="{Code}">{U(i.AttackType, IncidentLines.AttackTypeChars)}</code> · {E(IncidentLines.Headline(i))}</p>""");
        sb.Append(CultureInfo.InvariantCulture, $"""<p style="margin:3px 0 0;font-size:14px">Target: <code style="{Code}">{U(IncidentLines.Target(i), IncidentLines.TargetChars)}</code></p>""");
        sb.Append(CultureInfo.InvariantCulture, $"""<p style="margin:3px 0 0;font-size:14px">Issue: {U(IncidentLines.Issue(i), IncidentLines.IssueChars)}""");
        if (i.ConsoleLink is { } console) sb.Append(CultureInfo.InvariantCulture, $""" · <a href="{A(console)}" style="color:#1f5fa8">Open in Wallarm Console</a>""");
        sb.Append("</p>");
        var parts = IncidentLines.SourceParts(i).Select(s => U(s.Text, s.Max)).ToList();
        if (parts.Count > 0)
        {
            sb.Append("""<p style="margin:3px 0 0;font-size:14px;color:#39465a">Top IP: """).AppendJoin(" · ", parts);
            if (i.SourceType is null) sb.Append(" · <em>").Append(E(Labels.NotEnriched)).Append("</em>");
            var lists = IncidentLines.Lists(i);
            if (lists.Count > 0)
            {
                sb.Append(""" · <strong style="color:#a3161a">""").Append(E(IncidentLines.MaliciousLabel)).Append("</strong> ").AppendJoin(", ", lists.Select(l => U(l, IncidentLines.ListChars)));
            }

            sb.Append("</p>");
        }

        sb.Append("</div>");
    }

    private static void AddAll(InternetAddressList target, string? addresses)
    {
        if (!EmailAddresses.TryParseList(addresses, out var list)) throw new InvalidOperationException("An Email address list does not parse (checked at start-up).");
        target.AddRange(list);
    }

    /// <summary>App or operator text for a header or heading: one line, no controls, bounded.</summary>
    private static string HeaderText(string? text, int max)
        => ChatText.Bound(new string((text ?? "").Select(ch => char.IsControl(ch) ? ' ' : ch).ToArray()).Trim(), max);

    /// <summary>Untrusted text for the plain-text part: sanitised, defanged, bounded.</summary>
    private static string Plain(string? text, int max) => ChatText.Neutralize(text, max) is { Length: > 0 } clean ? clean : ChatText.Empty;

    /// <summary>Untrusted text for the HTML part: <see cref="Plain"/>, then HTML-encoded.</summary>
    private static string U(string? text, int max) => E(Plain(text, max));

    /// <summary>App-built text, HTML-encoded.</summary>
    private static string E(string text) => Html.Encode(text);

    /// <summary>An app-built absolute URL as an attribute value.</summary>
    private static string A(Uri url) => Html.Encode(url.AbsoluteUri);
}
