using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>Incidents and hits per hour, then incidents by attack type, country, source type and status.</summary>
internal sealed class ChartsSection : IReportSection
{
    private const float Gutter = 10;

    public void Compose(SectionContext context)
    {
        var (report, flow, text) = (context.Report, context.Flow, context.Text);
        SectionHeading.Place(context, "Charts", "charts", 140);
        flow.Place(140, (c, box) => ReportCharts.DrawHourly(c, box, report.Hours, text));
        flow.Gap(Gutter);
        Pair(flow, 135,
            (c, box) => ReportCharts.DrawRanking(c, box, "Incidents by attack type", report.ByAttackType, text),
            (c, box) => ReportCharts.DrawRanking(c, box, "Incidents by source country (top IP)", report.ByCountry, text));
        flow.Gap(Gutter);
        Pair(flow, 135,
            (c, box) => ReportCharts.DrawRanking(c, box, "Incidents by source type (top IP)", report.BySourceType, text, "Source types appear once enrichment has run."),
            (c, box) => ReportCharts.DrawRanking(c, box, "Incidents by status", report.ByStatus, text));
    }

    private static void Pair(PageFlow flow, float height, Action<SKCanvas, SKRect> left, Action<SKCanvas, SKRect> right)
    {
        var half = (flow.Width - Gutter) / 2;
        var box = flow.Place(height, left, half);
        flow.PlaceAt(SKRect.Create(box.Left + half + Gutter, box.Top, half, height), right);
    }
}
