using IncidentFunctions.Reports.Rendering.Typesetting;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>What every section gets: the model, the flow to place blocks in, the text engine and formatting.</summary>
internal sealed record SectionContext(DailyReport Report, PageFlow Flow, TextEngine Text, ReportFormat Format);

/// <summary>One part of the report; composes its blocks into the flow.</summary>
internal interface IReportSection
{
    void Compose(SectionContext context);
}

internal static class SectionHeading
{
    /// <summary>A heading kept together with at least <paramref name="keepWith"/> points of what follows, plus its outline entry.</summary>
    public static void Place(SectionContext context, string title, string destination, float keepWith = 60)
        => Place(context.Flow, context.Text, title, destination, keepWith);

    public static void Place(PageFlow flow, TextEngine text, string title, string destination, float keepWith = 60)
    {
        var style = Typography.SectionHeading;
        var height = style.LineHeight + 6;
        flow.EnsureSpace(height + keepWith);
        if (!flow.AtPageTop) flow.Gap(8);
        flow.EnsureSpace(height + keepWith);
        flow.Anchor(title, destination);
        var line = text.SingleLine(title, style, flow.Width);
        flow.Place(height, (c, box) => text.Draw(c, line, style, box.Left, box.Top));
    }
}
