using System.Globalization;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>Title, company, day and zone, generation time, coverage, and warning boxes when hours are missing or labels come from old data.</summary>
internal sealed class HeaderSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        var (report, flow, text, format) = (context.Report, context.Flow, context.Text, context.Format);
        flow.Anchor("Summary", "summary");
        LogoBlock.Place(flow, report.Logo);
        var title = text.Wrap(report.Title, Typography.Title, flow.Width, 2);
        flow.Place(title.Count * Typography.Title.LineHeight, (c, box) => text.DrawLines(c, title, Typography.Title, box.Left, box.Top));

        var day = Dates.LongDay(report.Day);
        var lines = new List<string>
        {
            $"{day} · time zone {report.TimeZone} · {format.DateTime(report.Window.From)} to {format.DateTime(report.Window.To)} ({Durations.Duration(report.Window.Duration)})",
        };
        if (report.CompanyName is { } company) lines.Insert(0, company);
        lines.Add($"Generated {format.DateTime(report.GeneratedAt)} · tenant {report.TenantId.ToString(CultureInfo.InvariantCulture)}");
        lines.Add(CoverageLine(report, format));
        if (report.Coverage.UnreadableRecords > 0) lines.Add(Vocabulary.Labels.UnreadableRecords(report.Coverage.UnreadableRecords));
        if (report.FalsePositivesExcluded > 0)
        {
            var excluded = report.FalsePositivesExcluded;
            lines.Add($"{Numbers.Count(excluded, "incident", "incidents")} marked false positive {(excluded == 1 ? "is" : "are")} not included.");
        }

        if (!report.SourcesEnriched)
        {
            lines.Add("Source enrichment (country, network, source type, reputation) has not run for this day yet; those columns are empty.");
        }

        foreach (var line in lines)
        {
            var wrapped = text.Wrap(line, Typography.Subtitle, flow.Width, 3);
            flow.Place(wrapped.Count * Typography.Subtitle.LineHeight, (c, box) => text.DrawLines(c, wrapped, Typography.Subtitle, box.Left, box.Top));
        }

        if (!report.Coverage.IsComplete)
        {
            flow.Gap(4);
            var missing = string.Join(", ", report.Coverage.Missing.Select(w => format.Span(w.From, w.To)));
            var hours = report.Coverage.Missing.Aggregate(TimeSpan.Zero, (s, w) => s + w.Duration);
            var warning = $"Warning: incidents were not pulled for {Durations.Duration(hours)} of this day ({missing}). Figures for those hours are missing or incomplete.";
            Box(context, warning);
        }

        if (LabelData.Warning(report.Datasets, report.Window.From, report.StaleDataAfter, "this day") is { } stale)
        {
            flow.Gap(4);
            Box(context, stale);
        }

        flow.Gap(6);
    }

    internal static void Box(SectionContext context, string message) => Box(context.Flow, context.Text, message);

    internal static void Box(PageFlow flow, TextEngine text, string message)
    {
        var style = Typography.Warning;
        var wrapped = text.Wrap(message, style, flow.Width - 16, 6);
        var height = (wrapped.Count * style.LineHeight) + 10;
        flow.Place(height, (c, box) =>
        {
            using var fill = new SKPaint { Color = Typography.WarningFill };
            using var rule = new SKPaint { Color = Typography.WarningRule, IsStroke = true, StrokeWidth = 1 };
            c.DrawRect(box, fill);
            c.DrawRect(box, rule);
            text.DrawLines(c, wrapped, style, box.Left + 8, box.Top + 5);
        });
    }

    private static string CoverageLine(DailyReport report, ReportFormat format)
    {
        var coverage = report.Coverage;
        if (coverage.Covered.Count == 0) return "Coverage: no pulled data for this day.";
        var parts = string.Join(", ", coverage.Covered.Select(w => format.Span(w.From, w.To)));
        return $"Coverage: {parts} ({Durations.Duration(coverage.CoveredDuration)} of {Durations.Duration(coverage.DayWindow.Duration)} pulled).";
    }
}
