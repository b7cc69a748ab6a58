using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;
using UglyToad.PdfPig;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class GlyphRecordingTests
{
    private const float Left = 40.5f;
    private const float Top = 52.25f;
    private const float Width = 380f;

    /// <summary>Every kind of run the emitter writes: ASCII, other scripts with marks and ligatures, right-to-left, a code point no font has.</summary>
    private const string Mixed = "GET /wp-admin/admin-ajax.php?id=1 from 203.0.113.7 · Обход аутентификации façade cafe\u0301 "
        + "हिन्दी ffi \u2067مرحبا بالعالم\u2069 日本語のテキスト \U000E0001 end";

    /// <summary>Drawn from a recording at the place it was recorded, text comes out byte for byte as drawn directly.</summary>
    [Theory]
    [InlineData(TextAlign.Left)]
    [InlineData(TextAlign.Right)]
    [InlineData(TextAlign.Center)]
    public void DrawRecorded_AtTheRecordedPlace_SamePdfAsDrawingDirectly(TextAlign align)
    {
        var direct = Pdf((engine, canvas) =>
        {
            foreach (var (lines, style, top) in Paragraphs(engine)) engine.DrawLines(canvas, lines, style, Left, top, Width, align);
        });
        var recorded = Pdf((engine, canvas) =>
        {
            foreach (var (lines, style, top) in Paragraphs(engine)) engine.RecordLines(engine.Recording, lines, style, Left, top, Width, align);
            engine.DrawRecorded(canvas, engine.Recording, 0, engine.Recording.RunCount, 0, 0);
        });

        Assert.Equal(direct, recorded);
    }

    /// <summary>
    /// More glyphs and runs than one chunk and one block of runs hold, in two styles: every run is drawn from its own
    /// slices, in its own colour and face.
    /// </summary>
    [Fact]
    public void DrawRecorded_MoreThanAChunk_SamePdfAsDrawingDirectly()
    {
        var long_ = string.Join(" ", Enumerable.Repeat(Mixed, 100));
        IEnumerable<(IReadOnlyList<TextLine>, TextStyle, float)> Long(TextEngine engine) =>
        [
            (engine.Wrap(long_, Typography.Small, Width), Typography.Small, Top),
            (engine.Wrap(long_, Typography.Code, Width), Typography.Code.WithColor(Typography.Blocked), Top + 10),
        ];

        var direct = Pdf((engine, canvas) =>
        {
            foreach (var (lines, style, top) in Long(engine)) engine.DrawLines(canvas, lines, style, Left, top, Width);
        });
        var runs = 0;
        var recorded = Pdf((engine, canvas) =>
        {
            foreach (var (lines, style, top) in Long(engine)) engine.RecordLines(engine.Recording, lines, style, Left, top, Width);
            runs = engine.Recording.RunCount;
            engine.DrawRecorded(canvas, engine.Recording, 0, runs, 0, 0);
        });

        Assert.True(runs > 1_024, $"{runs} runs");
        Assert.Equal(direct, recorded);
    }

    /// <summary>A run with more glyphs and text than a chunk holds (a letter under thousands of marks) gets room of its own, and what follows goes on.</summary>
    [Fact]
    public void DrawRecorded_RunLargerThanAChunk_SamePdfAsDrawingDirectly()
    {
        var stacked = "x" + new string('\u0301', 9_000);
        IEnumerable<(IReadOnlyList<TextLine>, TextStyle, float)> Lines(TextEngine engine) =>
        [
            (engine.Wrap("before " + stacked + " after", Typography.Small, Width), Typography.Small, Top),
            (engine.Wrap(Mixed, Typography.Small, Width), Typography.Small, Top + 100),
        ];

        var direct = Pdf((engine, canvas) =>
        {
            foreach (var (lines, style, top) in Lines(engine)) engine.DrawLines(canvas, lines, style, Left, top, Width);
        });
        var recorded = Pdf((engine, canvas) =>
        {
            foreach (var (lines, style, top) in Lines(engine)) engine.RecordLines(engine.Recording, lines, style, Left, top, Width);
            engine.DrawRecorded(canvas, engine.Recording, 0, engine.Recording.RunCount, 0, 0);
        });

        Assert.Equal(direct, recorded);
    }

    /// <summary>A cleared recording (a row laid out again when drawn reuses one) holds only what was recorded since.</summary>
    [Fact]
    public void Clear_ThenRecordAgain_DrawsOnlyTheNewRuns()
    {
        var direct = Pdf((engine, canvas) => engine.DrawLines(canvas, engine.Wrap("second row 203.0.113.9", Typography.Small, Width), Typography.Small, Left, Top));
        var recorded = Pdf((engine, canvas) =>
        {
            engine.RecordLines(engine.Scratch, engine.Wrap(Mixed, Typography.Small, Width), Typography.Small, Left, Top);
            engine.Scratch.Clear();
            engine.RecordLines(engine.Scratch, engine.Wrap("second row 203.0.113.9", Typography.Small, Width), Typography.Small, Left, Top);
            engine.DrawRecorded(canvas, engine.Scratch, 0, engine.Scratch.RunCount, 0, 0);
        });

        Assert.Equal(direct, recorded);
    }

    /// <summary>Recorded relative to a row and drawn where the row lands, the text reads the same at the moved place.</summary>
    [Fact]
    public void DrawRecorded_MovedByAnOffset_TextAtTheOffset()
    {
        const float dx = 100.75f, dy = 300.5f;
        var direct = Pdf((engine, canvas) => engine.DrawLines(canvas, engine.Wrap("GET /api/items?id=1", Typography.Small, Width), Typography.Small, dx + Left, dy + Top));
        var recorded = Pdf((engine, canvas) =>
        {
            engine.RecordLines(engine.Recording, engine.Wrap("GET /api/items?id=1", Typography.Small, Width), Typography.Small, Left, Top);
            engine.DrawRecorded(canvas, engine.Recording, 0, engine.Recording.RunCount, dx, dy);
        });

        using var expected = PdfDocument.Open(direct);
        using var actual = PdfDocument.Open(recorded);
        var (want, got) = (expected.GetPage(1).Letters, actual.GetPage(1).Letters);
        Assert.Equal(string.Concat(want.Select(l => l.Value)), string.Concat(got.Select(l => l.Value)));
        Assert.Equal(want.Select(l => l.StartBaseLine.X), got.Select(l => l.StartBaseLine.X), (a, b) => Math.Abs(a - b) < 0.01);
        Assert.Equal(want.Select(l => l.StartBaseLine.Y), got.Select(l => l.StartBaseLine.Y), (a, b) => Math.Abs(a - b) < 0.01);
    }

    private static IEnumerable<(IReadOnlyList<TextLine> Lines, TextStyle Style, float Top)> Paragraphs(TextEngine engine) =>
    [
        (engine.Wrap(Mixed, Typography.Small, Width), Typography.Small, Top),
        (engine.Wrap(Mixed, Typography.CompactCode, Width, 2, showCutCount: true), Typography.CompactCode, Top + 200),
        (engine.Wrap("#4242", Typography.CompactLink, Width), Typography.CompactLink, Top + 300),
    ];

    private static byte[] Pdf(Action<TextEngine, SKCanvas> draw)
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output))
        {
            draw(engine, document.BeginPage(842, 595));
            document.EndPage();
            document.Close();
        }

        return output.ToArray();
    }
}
