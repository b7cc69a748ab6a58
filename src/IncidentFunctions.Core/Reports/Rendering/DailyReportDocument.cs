using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;
using NodaTime;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>The PDF produced for a report: bytes, page count and outline titles.</summary>
public sealed record RenderedReport(byte[] Pdf, int Pages, IReadOnlyList<string> Outline);

/// <summary>
/// The daily report as a document: page size and margins, a running header and footer on every page, and the
/// sections in order (QuestPDF's compose-header/content/footer shape, drawn with SkiaSharp's PDF backend).
/// Layout runs first over the whole report, so every page knows the page count when it is drawn.
/// </summary>
public sealed class DailyReportDocument(DailyReport report, PageGeometry geometry)
{
    public const string Creator = "IncidentFunctions";

    public static PageGeometry GeometryFor(ReportPageSize size) => size == ReportPageSize.Letter ? PageGeometry.LetterLandscape : PageGeometry.A4Landscape;

    /// <summary>See <see cref="PageFlow.LaidOutRowBudget"/> (tests set it to compare both ways of drawing a row).</summary>
    internal int LaidOutRowBudget { get; init; } = PageFlow.DefaultLaidOutRowBudget;

    public RenderedReport Render() => Render(null);

    /// <summary>Renders; an <paramref name="observer"/> (measuring tools) is told what every page draws.</summary>
    internal RenderedReport Render(IRenderObserver? observer)
    {
        var zone = DateTimeZoneProviders.Tzdb[report.TimeZone];
        var format = new ReportFormat(zone, report.Day);
        using var text = new TextEngine(ReportFonts.Shared) { Observer = observer };
        var flow = new PageFlow(geometry, LaidOutRowBudget);
        var context = new SectionContext(report, flow, text, format);
        foreach (var section in ComposeContent()) section.Compose(context);
        var left = string.Join(" · ", new[] { report.Title, Dates.Day(report.Day) + " (" + report.TimeZone + ")", report.CompanyName }.Where(s => !string.IsNullOrEmpty(s)).Select(s => Bidi.Isolate(s!)));
        var chrome = new PageChrome(geometry, text, left, $"Generated {format.DateTime(report.GeneratedAt)} by {Creator}", report.Attributions, report.Marking).Prepare(flow.Pages.Count);
        text.PruneFaces();

        var metadata = new SKDocumentPdfMetadata
        {
            // The marking leads the title (what a viewer's window and a file list show) and is a keyword, as on every page.
            Title = ReportMarking.Prefixed(report.Marking, $"{report.Title} – {IsoDay}"),
            Author = report.CompanyName ?? Creator,
            Subject = $"Wallarm incidents on {IsoDay} ({report.TimeZone}): {Numbers.Count(report.Incidents.Count, "incident", "incidents")}",
            Keywords = ReportMarking.Listed(report.Marking, "Wallarm, WAF, incidents, daily report"),
            Creator = Creator,
            Creation = report.GeneratedAt.UtcDateTime,
            Modified = report.GeneratedAt.UtcDateTime,
            RasterDpi = 150,
            EncodingQuality = 101,
        };
        return ReportPdf.Write(geometry, flow, chrome, metadata, observer);
    }

    private string IsoDay => Dates.Day(report.Day);

    private IEnumerable<IReportSection> ComposeContent()
    {
        yield return new HeaderSection();
        yield return new KeyFiguresSection();
        if (report.IsEmpty)
        {
            yield return new NoIncidentsSection();
        }
        else
        {
            yield return new ChartsSection();
            yield return new TopTablesSection();
            yield return new IncidentsSection();
        }

        yield return new AttributionsSection();
    }
}
