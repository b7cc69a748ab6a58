
namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>Incidents and hits per hour, then incidents by attack type, country, source type and status, in pairs.</summary>
internal sealed class ChartsSection : IReportSection
{
    private const float Gutter = 16;

    public void Compose(SectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        var hourly = ReportCharts.Hourly(text, report.Hours, flow.Width);
        SectionHeading.Place(context, "Charts", "charts", hourly.Height);
        flow.Place(hourly.Height, hourly.Draw);
        flow.Gap(Gutter / 2);
        var half = (flow.Width - Gutter) / 2;
        Pair(flow,
            ReportCharts.Ranking(text, "Incidents by attack type", report.ByAttackType, half),
            ReportCharts.Ranking(text, "Incidents by source country (top IP)", report.ByCountry, half));
        flow.Gap(Gutter / 2);
        Pair(flow,
            ReportCharts.Ranking(text, "Incidents by source type (top IP)", report.BySourceType, half, "Source types appear once enrichment has run."),
            ReportCharts.Ranking(text, "Incidents by status", report.ByStatus, half));
    }

    private static void Pair(PageFlow flow, ChartLayout left, ChartLayout right)
    {
        var half = (flow.Width - Gutter) / 2;
        var height = Math.Max(left.Height, right.Height);
        var box = flow.Place(height, left.Draw, half);
        flow.PlaceAt(SkiaSharp.SKRect.Create(box.Left + half + Gutter, box.Top, half, right.Height), right.Draw);
    }
}
