using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Graphics.Operations.TextPositioning;
using UglyToad.PdfPig.Graphics.Operations.TextShowing;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class GlyphEmitterTests
{
    private const float Left = 32.3f;

    public static TheoryData<string, FontRole, float> PlainTexts => new()
    {
        { "GET /api/v1/items?id=1&x=42 from 203.0.113.7 (Frankfurt)", FontRole.Sans, 7.5f },
        { "Обход аутентификации Ωμέγα façade œuvre", FontRole.Sans, 6.5f },
        { "/wp-admin/admin-ajax.php?action=../../etc/passwd", FontRole.Mono, 9f },
        { "Incidents by hour: 1,234 of 10,000 (12.3 %)", FontRole.SansBold, 11f },
    };

    /// <summary>Skia writes a glyph without a move of its own only where its own pen would put it: each run is one string.</summary>
    [Theory]
    [MemberData(nameof(PlainTexts))]
    public void AddRun_PlainText_WrittenAsOneStringPerRunWithoutMoves(string text, FontRole role, float size)
    {
        using var drawn = Drawn.Line(text, role, size);
        var line = drawn.Text;

        var operations = drawn.Page.Operations;
        Assert.DoesNotContain(operations, o => o is MoveToNextLineWithOffset);
        Assert.Equal(line.Runs.Length, operations.OfType<ShowText>().Count());
    }

    /// <summary>The plain texts, and pairs a font may kern and combining marks (which may move their glyphs).</summary>
    public static TheoryData<string, FontRole, float> AnyTexts
    {
        get
        {
            var texts = PlainTexts;
            texts.Add("AVAV To Wa Ty 'quoted' LT-VA", FontRole.Sans, 13f);
            texts.Add("cafe\u0301 nai\u0308ve Ångström", FontRole.Sans, 8f);
            return texts;
        }
    }

    /// <summary>However a run is written, every glyph lands where the layout put it.</summary>
    [Theory]
    [MemberData(nameof(AnyTexts))]
    public void AddRun_AnyLeftToRightText_GlyphsAtTheLaidOutPositions(string text, FontRole role, float size)
    {
        using var drawn = Drawn.Line(text, role, size);
        var line = drawn.Text;

        var expected = new List<double>();
        foreach (var run in line.Runs)
        {
            var pen = run.X;
            for (var k = 0; k < run.Glyphs.Length; k++)
            {
                expected.Add(Left + ((pen + (run.OffsetsX?[k] ?? 0)) * size));
                pen += run.Advances[k];
            }
        }

        var actual = drawn.Page.Letters.Select(l => l.StartBaseLine.X).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i], 0.01);
    }

    /// <summary>A line drawn alone on a PDF page, and that page read back.</summary>
    private sealed class Drawn(TextLine text, PdfDocument pdf) : IDisposable
    {
        public TextLine Text { get; } = text;

        public UglyToad.PdfPig.Content.Page Page { get; } = pdf.GetPage(1);

        public static Drawn Line(string text, FontRole role, float size)
        {
            using var engine = new TextEngine(ReportFonts.Shared);
            var style = new TextStyle(role, size, Typography.Ink);
            var line = engine.SingleLine(text, style, 2000);
            using var output = new MemoryStream();
            using (var document = SKDocument.CreatePdf(output))
            {
                engine.Draw(document.BeginPage(842, 595), line, style, Left, 100);
                document.EndPage();
                document.Close();
            }

            return new Drawn(line, PdfDocument.Open(output.ToArray()));
        }

        public void Dispose() => pdf.Dispose();
    }
}
