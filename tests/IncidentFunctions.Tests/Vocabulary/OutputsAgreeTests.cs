using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Digest;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Tests.Channels;
using IncidentFunctions.Tests.Reports;
using NodaTime;

namespace IncidentFunctions.Tests.Vocabulary;

/// <summary>
/// The same day as the PDF prints it (read back with PdfPig) and as each chat platform posts it: every status label,
/// count, change, gap duration and day that chat shows is found, in the same words, in the PDF.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed partial class OutputsAgreeTests
{
    private const string Zone = "Europe/Berlin";
    private static readonly LocalDate Day = new(2026, 11, 19);
    private static readonly ReportCalendar Calendar = new(Zone);
    private static readonly Lazy<(string Pdf, DailyReport Report)> Pdf = new(RenderPdf);

    public static TheoryData<ChannelKind> ChatKinds => new(ChannelKind.Slack, ChannelKind.Teams, ChannelKind.Discord);

    [Theory]
    [MemberData(nameof(ChatKinds))]
    public void Digest_StatusCounts_ReadAsInThePdfsKeyFigures(ChannelKind kind)
    {
        var chat = DigestText(kind);
        var line = StatusLine().Match(chat);
        Assert.True(line.Success, "no status line in the chat digest");

        var pairs = line.Value.TrimEnd().Split(" · ").Select(p => StatusCount().Match(p)).ToList();
        Assert.Equal(4, pairs.Count); // the day has an incident of unknown status, so all four are listed
        foreach (var pair in pairs)
        {
            Assert.True(pair.Success, $"'{line.Value}' is not a list of statuses and counts");
            // A key-figures row: label, this day, the day before, change.
            Assert.Contains(pair.Groups["label"].Value + pair.Groups["n"].Value, Pdf.Value.Pdf, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(ChatKinds))]
    public void Digest_FiguresAndChanges_ReadAsInThePdfsKeyFigures(ChannelKind kind)
    {
        var chat = DigestText(kind);
        var checkedFigures = 0;
        foreach (var (noun, pdfLabel) in new[] { ("incidents", "Incidents"), ("hits", "Hits"), ("unique source IPs", "Unique source IPs") })
        {
            // Slack and Discord: "1,234,579 hits · +1,233,579 (+123,357.9%) vs. the day before"; Teams: a "Hits" fact.
            var figure = Regex.Match(chat, kind == ChannelKind.Teams
                ? $@"(?m)^{Regex.Escape(pdfLabel)}\n(?<n>[\d,]+) · (?<change>.+?) vs\. the day before$"
                : $@"(?<n>[\d,]+) {Regex.Escape(noun)} · (?<change>.+?) vs\. the day before");
            Assert.True(figure.Success, $"no '{noun}' figure in the {kind} digest");
            var row = $@"{Regex.Escape(pdfLabel)}(?: \([^)]*\))?{Regex.Escape(figure.Groups["n"].Value)}[\d,]+{Regex.Escape(figure.Groups["change"].Value)}";
            Assert.Matches(row, Pdf.Value.Pdf);
            checkedFigures++;
        }

        Assert.Equal(3, checkedFigures);
    }

    [Theory]
    [MemberData(nameof(ChatKinds))]
    public void Digest_DataGap_NamesTheSameHoursAndDurationAsThePdfsWarning(ChannelKind kind)
    {
        var chat = ChatGap().Match(DigestText(kind));
        var pdf = PdfGap().Match(Pdf.Value.Pdf);

        Assert.True(chat.Success, "no gap line in the chat digest");
        Assert.True(pdf.Success, "no gap warning in the PDF");
        Assert.Equal(pdf.Groups["duration"].Value, chat.Groups["duration"].Value);
        Assert.Equal(pdf.Groups["spans"].Value, chat.Groups["spans"].Value);
        Assert.Equal("1 h 5 min", chat.Groups["duration"].Value); // 02:00–03:05, so neither side rounds differently
    }

    [Theory]
    [MemberData(nameof(ChatKinds))]
    public void DigestAndAlert_IncidentStatusAndHits_ReadAsInThePdfsIncidentTable(ChannelKind kind)
    {
        var report = Pdf.Value.Report;
        var unknown = report.Incidents.Single(i => i.Status == IncidentStatus.Unknown);
        var alert = new AlertMessage { TimeZone = Zone, GeneratedAt = report.GeneratedAt, Incidents = [IncidentSummaries.From(unknown)] };
        var texts = new[] { DigestText(kind), Text(ChatRenderer.For(kind).Render(alert, "a-0123456789abcdef01234567").Json) };

        foreach (var text in texts)
        {
            var headlines = Headline().Matches(text);
            Assert.NotEmpty(headlines);
            foreach (Match headline in headlines)
            {
                Assert.Contains(headline.Groups["status"].Value, Pdf.Value.Pdf, StringComparison.Ordinal);
                Assert.Contains(headline.Groups["hits"].Value, Pdf.Value.Pdf, StringComparison.Ordinal);
            }

            Assert.Contains(headlines, h => h.Groups["hits"].Value == "1,234,567" && h.Groups["status"].Value == "Unknown status");
        }
    }

    [Theory]
    [MemberData(nameof(ChatKinds))]
    public void Digest_Day_ReadsAsInThePdfsRunningHeader(ChannelKind kind)
    {
        var chat = Regex.Match(DigestText(kind), @"— (?<day>\d{4}-\d\d-\d\d)");
        var pdf = Regex.Match(Pdf.Value.Pdf, $@"(?<day>\d{{4}}-\d\d-\d\d) \({Regex.Escape(Zone)}\)");

        Assert.True(chat.Success && pdf.Success);
        Assert.Equal(pdf.Groups["day"].Value, chat.Groups["day"].Value);
    }

    private static string DigestText(ChannelKind kind)
    {
        var report = Pdf.Value.Report;
        var link = new ReportLink(new Uri("https://func.example.test/api/reports/shared/daily/2026-11-19.pdf?exp=1&kid=k1&sig=EXAMPLE-not-a-signature"), report.GeneratedAt.AddDays(7), new string('0', 64), 1_000, 3);
        var message = DigestComposer.Compose(report, link, Calendar, new DigestOptions { TopIncidents = 3 });
        return Text(ChatRenderer.For(kind).Render(message, "d-1-20261119-chat-0123456789ab").Json);
    }

    /// <summary>Every string of a chat payload, one per line: what the platform shows.</summary>
    private static string Text(string json) => string.Join("\n", PlatformShape.Strings(JsonNode.Parse(json)).Select(s => s.Value));

    private static (string, DailyReport) RenderPdf()
    {
        var window = Calendar.WindowOf(Day);
        var gap = new TimeWindow(window.From.AddHours(2), window.From.AddHours(3).AddMinutes(5));
        var coverage = new DayCoverage(Day, window, [new TimeWindow(window.From, gap.From), new TimeWindow(gap.To, window.To)], [gap]);
        var previousWindow = Calendar.WindowOf(Day.PlusDays(-1));
        var inputs = new DailyReportInputs(
            TenantId: 7,
            Day: Day,
            Rows:
            [
                Row("a:1", window.From.AddHours(9), 1_234_567, IncidentStatus.Unknown),
                Row("a:2", window.From.AddHours(11), 12, IncidentStatus.Blocked),
                Row("a:3", window.From.AddHours(13), 1_000, IncidentStatus.Monitoring, "198.51.100.8"),
                Row("a:4", window.From.AddHours(15), 1, IncidentStatus.PartiallyBlocked, "198.51.100.9"),
            ],
            PreviousRows: [Row("b:1", previousWindow.From.AddHours(8), 1_000, IncidentStatus.Blocked)],
            Coverage: coverage,
            Vulnerabilities: new Dictionary<long, VulnerabilityEntity>(),
            Sources: SourceDay.Empty,
            PreviousSources: SourceDay.Empty,
            Now: window.To.AddHours(7));
        var report = DailyReportBuilder.Build(inputs, Calendar, new ReportOptions(), new Uri("https://my.wallarm.com/"));
        var pdf = new DailyReportDocument(report, PageGeometry.A4Landscape).Render();
        return (string.Concat(PdfText.Pages(pdf.Pdf)), report);
    }

    private static IncidentEntity Row(string id, DateTimeOffset first, long hits, IncidentStatus status, string ip = "198.51.100.7")
    {
        var incident = new Incident
        {
            TenantId = 7,
            Id = id,
            FirstSeen = first,
            LastSeen = first.AddMinutes(65),
            AttackType = "sqli",
            Domain = "shop.example.com",
            Path = "/api/items",
            Method = "GET",
            Hits = hits,
            IpCount = 1,
            TopIps = [new IncidentSourceIp(ip, hits, "DE")],
            VulnerabilityId = 3,
            Status = status,
        };
        var day = Calendar.DayOf(first);
        return IncidentEntity.From(incident, DayPartition.Key(7, day), ReportCalendar.IsoDay(day), Zone, first.AddHours(1));
    }

    [GeneratedRegex(@"Blocked [\d,]+ · [^\n*_(;]*?(?=\*|_|\(|;|\n|$)")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^(?<label>.+) (?<n>[\d,]+)$")]
    private static partial Regex StatusCount();

    [GeneratedRegex(@"Data gaps: (?<spans>.+?) \((?<duration>[^()]+)\) were not pulled")]
    private static partial Regex ChatGap();

    [GeneratedRegex(@"not pulled for (?<duration>.+?) of this day \((?<spans>[^)]+)\)")]
    private static partial Regex PdfGap();

    /// <summary>An incident's headline in chat: "Unknown status · 1,234,567 hits".</summary>
    [GeneratedRegex(@"(?<status>[A-Z][a-z]+(?: [a-z]+)?) · (?<hits>[\d,]+) hits?\b")]
    private static partial Regex Headline();
}
