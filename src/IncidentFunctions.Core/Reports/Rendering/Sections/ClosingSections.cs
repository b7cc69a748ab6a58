
namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>The short body of an empty day: one clear sentence instead of empty charts and tables.</summary>
internal sealed class NoIncidentsSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        SectionHeading.Place(context, "Incidents", "incidents", 30);
        var message = context.Report.Coverage.IsComplete
            ? "No incidents: no attack exploiting a security issue was recorded on this day."
            : "No incidents were recorded in the pulled hours of this day (see the coverage warning above).";
        var lines = context.Text.Wrap(message, Typography.Body, context.Flow.Width);
        context.Flow.Place(lines.Count * Typography.Body.LineHeight, (c, box) => context.Text.DrawLines(c, lines, Typography.Body, box.Left, box.Top));
    }
}

/// <summary>The attribution lines the intel data licences require, in full.</summary>
internal sealed class AttributionsSection : IReportSection
{
    public void Compose(SectionContext context)
    {
        var report = context.Report;
        SectionHeading.Place(context, "Data sources and attributions", "attributions", 20);
        IReadOnlyList<string> all = LabelData.Line(report.Datasets) is { } datasets
            ? [datasets, .. report.Attributions]
            : report.Attributions.Count == 0 ? ["No third-party intel data was used for this day."] : report.Attributions;
        foreach (var line in all)
        {
            var wrapped = context.Text.Wrap(line, Typography.Small, context.Flow.Width, 4);
            context.Flow.Place(wrapped.Count * Typography.Small.LineHeight, (c, box) => context.Text.DrawLines(c, wrapped, Typography.Small, box.Left, box.Top));
        }
    }
}
