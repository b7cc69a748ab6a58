using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;
using NodaTime;

namespace IncidentFunctions.Reports.Rendering.Sections;

internal sealed record PeriodSectionContext(PeriodReport Report, PageFlow Flow, TextEngine Text, DateTimeZone Zone);

/// <summary>
/// The sections of a weekly or monthly report, in order: summary, key figures against the previous period, per-day
/// chart and attack types, busiest days, recurring attackers, targets, security issues, coverage, per-day counts,
/// incidents. Tables, charts and the incident table are the daily report's.
/// </summary>
internal static class PeriodSections
{
    private const float Gutter = 16;

    public static void Compose(PeriodSectionContext context)
    {
        Header(context);
        var report = context.Report;
        KeyFiguresSection.Render(context.Flow, context.Text, report.Figures, report.PreviousFigures,
            Dates.Period(report.Period) + (report.Partial ? " (so far)" : ""), Dates.Period(report.Period.Previous()), "Change");
        if (report.IsEmpty)
        {
            Paragraph(context, "Incidents", "incidents", "No incidents: no attack exploiting a security issue was recorded in the pulled hours of this period.");
        }
        else
        {
            Charts(context);
            BusiestDays(context);
            RecurringAttackers(context);
            TopTablesSection.Targets(context.Flow, context.Text, report.TopTargets);
            Issues(context);
        }

        Coverage(context);
        PerDay(context);
        if (!report.IsEmpty) Incidents(context);
        Attributions(context);
    }

    private static void Header(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        flow.Anchor("Summary", "summary");
        LogoBlock.Place(flow, report.Logo);
        var title = text.Wrap(report.Title, Typography.Title, flow.Width, 2);
        flow.Place(title.Count * Typography.Title.LineHeight, (c, box) => text.DrawLines(c, title, Typography.Title, box.Left, box.Top));
        var period = report.Period;
        var lines = new List<string>();
        if (report.CompanyName is { } company) lines.Add(company);
        lines.Add($"{Dates.Period(period)}: {Dates.LongDay(period.First)} to {Dates.LongDay(period.Last)} · time zone {report.TimeZone} · {Dates.DateTime(report.Window.From, context.Zone)} to {Dates.DateTime(report.Window.To, context.Zone)} ({Durations.Duration(report.Window.Duration)})");
        lines.Add($"Generated {Dates.DateTime(report.GeneratedAt, context.Zone)} · tenant {report.TenantId.ToString(CultureInfo.InvariantCulture)}");
        var reached = report.Days.Where(d => d.Reached).ToList();
        lines.Add($"Coverage: {Numbers.Number(reached.Count(d => d.Coverage!.IsComplete))} of {Numbers.Count(report.Days.Count, "day", "days")} fully pulled (missing hours by day under Coverage).");
        if (report.FalsePositivesExcluded > 0) lines.Add($"{Numbers.Count(report.FalsePositivesExcluded, "incident", "incidents")} marked false positive {(report.FalsePositivesExcluded == 1 ? "is" : "are")} not included.");
        if (!report.SourcesEnriched) lines.Add("Source enrichment (country, network, source type, reputation) has not run for this period yet; those columns are empty.");
        lines.Add("Key figures count an incident active on several days once; per-day figures count it on each day, as the daily reports do.");
        foreach (var line in lines)
        {
            var wrapped = text.Wrap(line, Typography.Subtitle, flow.Width, 3);
            flow.Place(wrapped.Count * Typography.Subtitle.LineHeight, (c, box) => text.DrawLines(c, wrapped, Typography.Subtitle, box.Left, box.Top));
        }

        if (report.Partial)
        {
            flow.Gap(4);
            var notYet = report.Days.Count(d => !d.Reached);
            HeaderSection.Box(flow, text, $"Partial: this period has not ended. The report shows what is stored so far{(notYet > 0 ? $"; {Numbers.Count(notYet, "day is", "days are")} still to come" : "")}.");
        }

        var gaps = reached.Where(d => !d.Coverage!.IsComplete).ToList();
        if (gaps.Count > 0)
        {
            flow.Gap(4);
            var hours = gaps.Aggregate(TimeSpan.Zero, (s, d) => s + d.Coverage!.Missing.Aggregate(TimeSpan.Zero, (t, w) => t + w.Duration));
            HeaderSection.Box(flow, text, $"Warning: incidents were not pulled for {Durations.Duration(hours)} on {Numbers.Count(gaps.Count, "day", "days")} of this period (listed under Coverage). Figures for those hours are missing or incomplete.");
        }

        if (LabelData.Warning(report.Datasets, report.Window.From, report.StaleDataAfter, "this period") is { } stale)
        {
            flow.Gap(4);
            HeaderSection.Box(flow, text, stale);
        }

        flow.Gap(6);
    }

    private static void Charts(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        var buckets = report.Days.Select(d => new StackedBucket(DayLabel(report.Period, d.Day), [d.Blocked, d.PartiallyBlocked, d.Monitoring, d.UnknownStatus], d.Hits)).ToList();
        var daily = ReportCharts.StackedDays(text, "Incidents per day by status, and hits", buckets, flow.Width);
        SectionHeading.Place(context.Flow, text, "Charts", "charts", daily.Height);
        flow.Place(daily.Height, daily.Draw);
        flow.Gap(Gutter / 2);
        var half = (flow.Width - Gutter) / 2;
        var ranking = ReportCharts.Ranking(text, "Incidents by attack type", report.ByAttackType, half);
        flow.Place(ranking.Height, ranking.Draw, half);

        var grid = report.AttackTypes;
        var by = report.Period.Kind == PeriodKind.Week ? "day" : "ISO week";
        SectionHeading.Place(flow, text, $"Attack types per {by}", "attack-types");
        var columns = new List<TableColumn> { new("Attack type", 2f) };
        columns.AddRange(grid.Columns.Select(c => new TableColumn(c, 0.8f, TextAlign.Right)));
        columns.Add(new TableColumn("Period", 0.8f, TextAlign.Right));
        Table.Render(flow, text, columns, grid.Rows.Select(r =>
            new[] { TableCell.Of(r.AttackType, Typography.Small, 2) }
                .Concat(r.Incidents.Select(n => TableCell.Of(n == 0 ? Labels.None : Numbers.Number(n), Typography.Small)))
                .Append(TableCell.Of(Numbers.Number(r.Total), Typography.SmallBold))
                .ToArray()), "Attack types (continued)");
    }

    private static void BusiestDays(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        SectionHeading.Place(flow, text, "Busiest days", "busiest-days");
        Table.Render(flow, text,
        [
            new("Day", 1.6f), new("Incidents", 0.8f, TextAlign.Right), new("Hits", 0.8f, TextAlign.Right), new("Daily report", 3f),
        ],
        report.BusiestDays.Select(d => new[]
        {
            TableCell.Of(Dates.LongDay(d.Day), Typography.Small, 1),
            TableCell.Of(Numbers.Number(d.Incidents), Typography.Small),
            TableCell.Of(Numbers.Number(d.Hits), Typography.Small),
            // App-built link to the day's report route (function key needed); none without Reports:PublicBaseUrl.
            d.Link is { } link
                ? TableCell.Of(DailyReportEndpoint.PathFor(ReportCalendar.IsoDay(d.Day)), Typography.Link, 1, link.AbsoluteUri)
                : TableCell.Of(DailyReportEndpoint.PathFor(ReportCalendar.IsoDay(d.Day)), Typography.SmallMuted, 1),
        }), "Busiest days (continued)");
    }

    private static void RecurringAttackers(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        var shown = report.RecurringAttackers.Count;
        var title = report.RecurringAttackersTotal > shown
            ? $"Recurring attackers (source IPs on two or more days: {Numbers.Number(report.RecurringAttackersTotal)}, the {Numbers.Number(shown)} most persistent)"
            : $"Recurring attackers (source IPs on two or more days: {Numbers.Number(report.RecurringAttackersTotal)})";
        SectionHeading.Place(flow, text, title, "recurring-attackers");
        if (shown == 0)
        {
            Note(context, "No source IP attacked on more than one day of this period.");
            return;
        }

        Table.Render(flow, text,
        [
            new("IP", 1.3f), new("Days seen", 1.9f), new("Hits", 0.7f, TextAlign.Right), new("Incidents", 0.7f, TextAlign.Right),
            new("Country", 0.9f), new("ASN / organisation", 1.7f), new("Source type", 1.1f), new("Lists", 1.3f),
        ],
        report.RecurringAttackers.Select(a => new[]
        {
            TableCell.Of(a.Ip, Typography.Code, 2),
            TableCell.Of($"{Numbers.Number(a.Days.Count)}: {string.Join(", ", a.Days.Select(d => DayLabel(report.Period, d)))}", Typography.Small, 3),
            TableCell.Of(Numbers.Number(a.Hits), Typography.Small),
            TableCell.Of(Numbers.Number(a.Incidents), Typography.Small),
            TableCell.Of(a.Country ?? Labels.None, Typography.Small, 2),
            TableCell.Of(TopTablesSection.Org(a.Asn, a.AsOrganization), Typography.Small, 2),
            TableCell.Of(Labels.SourceType(a.SourceType) + (a.SourceType is not null && a.CloudProvider is { } p ? $" ({p})" : ""), Typography.Small, 2),
            TableCell.Of(a.MaliciousLists.Count == 0 ? Labels.None : string.Join(", ", a.MaliciousLists), Typography.Small, 3),
        }), "Recurring attackers (continued)");
    }

    private static void Issues(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        var fresh = report.Issues.Count(i => i.New);
        SectionHeading.Place(flow, text, $"Security issues exploited ({Numbers.Number(fresh)} new, {Numbers.Number(report.Issues.Count - fresh)} still exploited from the previous period)", "issues");
        Table.Render(flow, text,
        [
            new("ID", 0.7f), new("Title", 2.8f), new("Since", 0.9f), new("Status", 0.8f), new("Severity", 0.8f), new("Incidents", 0.7f, TextAlign.Right), new("Days hit", 2f),
        ],
        report.Issues.Select(row =>
        {
            var i = row.Issue;
            return new[]
            {
                TableCell.Of(i.VulnerabilityId.ToString(CultureInfo.InvariantCulture), i.ConsoleLink is null ? Typography.Small : Typography.Link, 1, i.ConsoleLink?.AbsoluteUri),
                // Attacker-influenced title: plain text, never a link; the id is the Console link.
                TableCell.Of(new CellPart(i.Title, Typography.Small, 3, ShowCutCount: true)),
                TableCell.Of(row.New ? "New" : "Still exploited", row.New ? Typography.SmallBold : Typography.Small, 1),
                TableCell.Of(i.Status ?? Labels.None, Typography.Small),
                TableCell.Of(Labels.Threat(i.Threat), Typography.Small),
                TableCell.Of(Numbers.Number(i.Incidents), Typography.Small),
                TableCell.Of(string.Join(", ", row.DaysHit.Select(d => DayLabel(report.Period, d))), Typography.Small, 3),
            };
        }), "Security issues exploited (continued)");
    }

    private static void Coverage(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        SectionHeading.Place(flow, text, "Coverage", "coverage", 30);
        var gaps = report.Days.Where(d => d.Coverage is { IsComplete: false }).ToList();
        var notYet = report.Days.Where(d => !d.Reached).ToList();
        var summary = gaps.Count == 0
            ? notYet.Count == 0
                ? $"Every hour of the {Numbers.Count(report.Days.Count, "day", "days")} was pulled."
                : $"Every hour of the {Numbers.Count(report.Days.Count - notYet.Count, "day", "days")} reached so far was pulled."
            : $"Incidents were not pulled for these hours ({Numbers.Count(gaps.Count, "day", "days")} with gaps):";
        if (notYet.Count > 0) summary += $" Not reached yet: {Dates.Day(notYet[0].Day)}{(notYet.Count > 1 ? " to " + Dates.Day(notYet[^1].Day) : "")}.";
        Note(context, summary);
        if (gaps.Count == 0) return;
        Table.Render(flow, text, [new("Day", 1.3f), new("Missing", 0.8f, TextAlign.Right), new($"Missing hours ({report.TimeZone})", 5f)],
            gaps.Select(d =>
            {
                var format = new ReportFormat(context.Zone, d.Day);
                var c = d.Coverage!;
                return new[]
                {
                    TableCell.Of(Dates.Day(d.Day), Typography.Small, 1),
                    TableCell.Of(Durations.Duration(c.Missing.Aggregate(TimeSpan.Zero, (s, w) => s + w.Duration)), Typography.Small),
                    TableCell.Of(string.Join(", ", c.Missing.Select(w => format.Span(w.From, w.To))), Typography.Small, 4),
                };
            }), "Coverage (continued)");
    }

    private static void PerDay(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        SectionHeading.Place(flow, text, "Per day", "per-day");
        Table.Render(flow, text,
        [
            new("Day", 1.5f), new("Incidents", 0.8f, TextAlign.Right), new("Hits", 0.9f, TextAlign.Right),
            new(Labels.Status(IncidentFunctions.Incidents.IncidentStatus.Blocked), 0.8f, TextAlign.Right), new(Labels.Status(IncidentFunctions.Incidents.IncidentStatus.PartiallyBlocked), 1f, TextAlign.Right),
            new(Labels.Status(IncidentFunctions.Incidents.IncidentStatus.Monitoring), 0.9f, TextAlign.Right), new("Coverage", 1.4f),
        ],
        report.Days.Select(d => new[]
        {
            TableCell.Of(Dates.Day(d.Day) + " " + d.Day.ToString("ddd", CultureInfo.InvariantCulture), Typography.Small, 1),
            TableCell.Of(Numbers.Number(d.Incidents), Typography.Small),
            TableCell.Of(Numbers.Number(d.Hits), Typography.Small),
            TableCell.Of(Numbers.Number(d.Blocked), Typography.Small),
            TableCell.Of(Numbers.Number(d.PartiallyBlocked), Typography.Small),
            TableCell.Of(Numbers.Number(d.Monitoring), Typography.Small),
            TableCell.Of(d.Coverage is not { } c ? "not reached yet" : c.IsComplete ? "complete" : $"{Durations.Duration(c.CoveredDuration)} of {Durations.Duration(c.DayWindow.Duration)}", d.Coverage is { IsComplete: false } ? Typography.SmallBold : Typography.Small, 1),
        }), "Per day (continued)");
    }

    private static void Incidents(PeriodSectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        var title = report.IncidentsAreTopOnly
            ? $"Incidents: the {Numbers.Number(report.Incidents.Count)} with the most hits of {Numbers.Number(report.IncidentsTotal)} (all of them: daily reports and the CSV export)"
            : $"Incidents ({Numbers.Number(report.IncidentsTotal)})";
        SectionHeading.Place(flow, text, title, "incidents");
        Table.Render(flow, text, IncidentsSection.CompactColumns(report.TimeZone), report.Incidents, i =>
        {
            var day = Instant.FromDateTimeOffset(i.FirstSeen).InZone(context.Zone).Date;
            return IncidentsSection.CompactRow(i, new ReportFormat(context.Zone, day), day.ToString("ddd d MMM", CultureInfo.InvariantCulture));
        }, "Incidents (continued)", Typography.CompactBold);
    }

    private static void Attributions(PeriodSectionContext context)
    {
        var report = context.Report;
        SectionHeading.Place(context.Flow, context.Text, "Data sources and attributions", "attributions", 20);
        IReadOnlyList<string> lines = LabelData.Line(report.Datasets) is { } datasets
            ? [datasets, .. report.Attributions]
            : report.Attributions.Count == 0 ? ["No third-party intel data was used for this period."] : report.Attributions;
        foreach (var line in lines)
        {
            Note(context, line);
        }
    }

    private static void Paragraph(PeriodSectionContext context, string title, string destination, string message)
    {
        SectionHeading.Place(context.Flow, context.Text, title, destination, 30);
        Note(context, message);
    }

    private static void Note(PeriodSectionContext context, string message)
    {
        var (flow, text) = (context.Flow, context.Text);
        var lines = text.Wrap(message, Typography.Small, flow.Width, 6);
        flow.Place(lines.Count * Typography.Small.LineHeight, (c, box) => text.DrawLines(c, lines, Typography.Small, box.Left, box.Top));
    }

    /// <summary>A day inside the period: <c>Mon 23</c> for a week, <c>23</c> for a month (its column and chart labels).</summary>
    private static string DayLabel(ReportPeriod period, LocalDate day)
        => day.ToString(period.Kind == PeriodKind.Week ? "ddd d" : "d MMM", CultureInfo.InvariantCulture);
}
