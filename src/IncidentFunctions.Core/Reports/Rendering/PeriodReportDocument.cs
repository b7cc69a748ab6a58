using IncidentFunctions.Calendar;
using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;
using NodaTime;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// The weekly or monthly report as a document: the daily report's page, chrome, fonts, tables and charts, with the
/// period's sections (<see cref="PeriodSections"/>). Layout first, then drawing, as for the day.
/// </summary>
public sealed class PeriodReportDocument(PeriodReport report, PageGeometry geometry)
{
    public RenderedReport Render() => Render(null);

    /// <summary>Renders; an <paramref name="observer"/> (measuring tools) is told what every page draws.</summary>
    internal RenderedReport Render(IRenderObserver? observer)
    {
        var zone = DateTimeZoneProviders.Tzdb[report.TimeZone];
        using var text = new TextEngine(ReportFonts.Shared) { Observer = observer };
        var flow = new PageFlow(geometry);
        var context = new PeriodSectionContext(report, flow, text, zone);
        PeriodSections.Compose(context);
        var name = Dates.Period(report.Period);
        var left = string.Join(" · ", new[] { report.Title, $"{name} ({report.TimeZone})", report.CompanyName }.Where(s => !string.IsNullOrEmpty(s)).Select(s => Bidi.Isolate(s!)));
        var chrome = new PageChrome(geometry, text, left, $"Generated {Dates.DateTime(report.GeneratedAt, zone)} by {DailyReportDocument.Creator}", report.Attributions, report.Marking).Prepare(flow.Pages.Count);
        text.PruneFaces();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = ReportMarking.Prefixed(report.Marking, $"{report.Title} – {name}"),
            Author = report.CompanyName ?? DailyReportDocument.Creator,
            Subject = $"Wallarm incidents in {name} ({report.TimeZone}): {Numbers.Count(report.IncidentsTotal, "incident", "incidents")}{(report.Partial ? " (partial)" : "")}",
            Keywords = ReportMarking.Listed(report.Marking, $"Wallarm, WAF, incidents, {(report.Period.Kind == PeriodKind.Week ? "weekly" : "monthly")} report"),
            Creator = DailyReportDocument.Creator,
            Creation = report.GeneratedAt.UtcDateTime,
            Modified = report.GeneratedAt.UtcDateTime,
            RasterDpi = 150,
            EncodingQuality = 101,
        };
        return ReportPdf.Write(geometry, flow, chrome, metadata, observer);
    }
}
