using IncidentFunctions.Calendar;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Testing;
using NodaTime;
using SkiaSharp;
using UglyToad.PdfPig;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class TrueTypeGlyphPrunerTests
{
    private static FontFace CjkSlice(int codePoint)
    {
        var face = ReportFonts.Shared.Resolve(FontRole.Sans, codePoint);
        Assert.NotNull(face);
        return face;
    }

    private static SKRect Bounds(SKTypeface typeface, ushort glyph)
    {
        using var font = new SKFont(typeface, 100);
        using var path = font.GetGlyphPath(glyph);
        return path?.Bounds ?? SKRect.Empty;
    }

    [Fact]
    public void KeepOnly_KeptGlyph_KeepsItsIdOutlineAndAdvanceAndEmptiesTheOthers()
    {
        // 用 and 户 live in the same Noto Sans SC slice.
        var face = CjkSlice('用');
        Assert.Same(face, CjkSlice('户'));
        var kept = face.Typeface.GetGlyph('用');
        var dropped = face.Typeface.GetGlyph('户');

        var pruned = TrueTypeGlyphPruner.KeepOnly(face.Sfnt, [kept]);
        using var typeface = SKTypeface.FromData(SKData.CreateCopy(pruned));

        Assert.NotNull(typeface);
        Assert.True(pruned.Length < face.Sfnt.Length / 4);
        Assert.Equal(kept, typeface.GetGlyph('用'));
        Assert.Equal(dropped, typeface.GetGlyph('户'));
        Assert.False(Bounds(face.Typeface, kept).IsEmpty);
        Assert.Equal(Bounds(face.Typeface, kept), Bounds(typeface, kept));
        Assert.False(Bounds(face.Typeface, dropped).IsEmpty);
        Assert.True(Bounds(typeface, dropped).IsEmpty);
        using var before = new SKFont(face.Typeface, 10);
        using var after = new SKFont(typeface, 10);
        Assert.Equal(before.MeasureText("用户"), after.MeasureText("用户"));
    }

    [Fact]
    public void KeepOnly_NotATrueTypeFont_ThrowsInvalidData()
    {
        var bytes = new byte[64];
        bytes[0] = 0x4F; // 'OTTO'-like header with no tables
        bytes[5] = 0;

        Assert.Throws<InvalidDataException>(() => TrueTypeGlyphPruner.KeepOnly(bytes, [1]));
    }

    [Fact]
    public void Render_CjkOnlyInTheRunningHeader_IsDrawnWithItsGlyph()
    {
        // The company name appears in the header section and on every page's running header; its ideographs must
        // be in the document's pruned slice, not left as empty outlines.
        var inputs = ReportPreviewData.Create(3, new LocalDate(2026, 11, 20), hostile: false);
        var report = DailyReportBuilder.Build(inputs, new ReportCalendar("UTC"), new ReportOptions { CompanyName = "示例公司" }, new Uri("https://my.wallarm.com/"));
        var pdf = new DailyReportDocument(report, PageGeometry.A4Landscape).Render().Pdf;

        using var document = PdfDocument.Open(pdf);
        var letters = document.GetPages().SelectMany(p => p.Letters).Where(l => l.Value is "示" or "例" or "公" or "司").ToList();
        Assert.NotEmpty(letters);
        Assert.All(letters, l => Assert.True(l.BoundingBox.Width > 0 && l.BoundingBox.Height > 0, $"'{l.Value}' has no outline"));
    }
}
