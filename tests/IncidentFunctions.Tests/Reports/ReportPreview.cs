using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

public sealed class ReportPreviewTests
{
    [Fact]
    public void Preview_WritesFile()
    {
        var inputs = ReportPreviewData.Create(100, new LocalDate(2026, 11, 20));
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions { CompanyName = "Example Corp" }, new Uri("https://my.wallarm.com/"));
        var rendered = new DailyReportDocument(report, PageGeometry.A4Landscape).Render();
        File.WriteAllBytes("/tmp/preview.pdf", rendered.Pdf);
    }
}
