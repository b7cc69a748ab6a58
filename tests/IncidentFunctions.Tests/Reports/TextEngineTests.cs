using IncidentFunctions.Reports.Rendering;
using IncidentFunctions.Reports.Rendering.Typesetting;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class TextEngineTests
{
    private static readonly TextStyle Style = new(FontRole.Sans, 10, Typography.Ink);

    public static TheoryData<string> SimpleTexts => new()
    {
        "GET /api/v1/items?id=1&x=AV To Wa ffi fl",
        string.Concat(Enumerable.Range(0x21, 0x5E).Select(c => (char)c)),
        "Ünïcödé Łódź façade œuvre ß ĳ",
        "Обход аутентификации Ωμέγα",
        "登录页面的身份验证绕过，请重试",
        "로그인 페이지 인증 우회",
        "fire 🔥 ok ✅",
    };

    /// <summary>The fast path is only a shortcut: for text that needs no shaping it gives exactly HarfBuzz's glyphs and advances.</summary>
    [Theory]
    [MemberData(nameof(SimpleTexts))]
    public void ShapeLine_FastPath_GivesExactlyWhatHarfBuzzGives(string text)
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        var fonts = ReportFonts.Shared;
        CodePointGlyph Resolve(FontRole role, int cp)
        {
            var face = fonts.Resolve(role, cp);
            var glyph = face?.GlyphOf(cp) ?? 0;
            return new CodePointGlyph(face, glyph, face?.Advance(glyph) ?? 0, Shaper.IsSimple(cp));
        }

        CodePointGlyph NeverSimple(FontRole role, int cp) => Resolve(role, cp) with { Simple = false };

        var fast = Shaper.ShapeLine(text, FontRole.Sans, 0, Resolve, fonts.Primary(FontRole.Mono));
        var shaped = Shaper.ShapeLine(text, FontRole.Sans, 0, NeverSimple, fonts.Primary(FontRole.Mono));

        Assert.All(fast.Runs, r => Assert.True(r.IsSimple));
        Assert.All(shaped.Runs, r => Assert.False(r.IsSimple && !r.IsEscape));
        Assert.Equal(fast.Runs.SelectMany(r => r.Glyphs), shaped.Runs.SelectMany(r => r.Glyphs));
        Assert.Equal(fast.Runs.SelectMany(r => r.Advances), shaped.Runs.SelectMany(r => r.Advances));
        Assert.Equal(fast.Width, shaped.Width, 3);
    }

    public static TheoryData<string> AnyTexts => new()
    {
        "مرحبا بالعالم خطأ في /api/v1 (رمز 404) من 10.0.0.1 السلام عليكم",
        "สวัสดีชาวโลกภาษาไทยการข้ามการยืนยันตัวตนในหน้าเข้าสู่ระบบ",
        "हिन्दी में त्रुटि नमस्ते दुनिया प्रमाणीकरण बाईपास",
        "/api/v1/orders/1234567890/items/abcdefghijklmnopqrstuvwxyz?next=/x/y/z&mode=full",
        "登录页面的身份验证绕过请重试登录页面的身份验证绕过",
        "👨‍👩‍👧 🔥🔥🔥 👍🏽 fire",
        new string('x', 400),
    };

    [Theory]
    [MemberData(nameof(AnyTexts))]
    public void Wrap_EveryLine_FitsTheColumn(string text)
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        foreach (var width in new[] { 25f, 40f, 73.5f, 120f, 300f })
        {
            var lines = engine.Wrap(text, Style, width, maxLines: 50);

            Assert.All(lines, l => Assert.True(l.Width * Style.Size <= width + 0.01f, $"a line of {l.Width * Style.Size} pt in {width} pt"));
        }
    }

    [Theory]
    [InlineData("IP to country data: ip-location-db geo-whois-asn-country (CC0), built from RIR data (CC BY 4.0).")]
    [InlineData("GET /api/v1/items?id=1&next=/a/b/), then [see /docs/]; done: yes! really? (a, b) {c}.")]
    [InlineData("数据来源（CC0），由 RIR 数据构建。")]
    [InlineData("word=FAKEnotAsecretJustOneVeryLongWordThatMustBeCutSomewhere!!?, then (callback_with_a_rather_long_identifier_name).")]
    public void Wrap_AnyWidth_NoLineStartsWithClosingOrSeparatingPunctuation(string text)
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        // From where every word fits: a word wider than the line is cut wherever it must.
        for (var width = 60f; width <= 400f; width += 1.5f)
        {
            var lines = engine.Wrap(text, Style, width, maxLines: 100);

            Assert.Equal(text.Replace(" ", "", StringComparison.Ordinal), string.Concat(lines.Select(l => l.Text)).Replace(" ", "", StringComparison.Ordinal));
            Assert.All(lines.Skip(1), l => Assert.False(l.Text.Length > 0 && ",.;:!?)]}、。，".Contains(l.Text[0], StringComparison.Ordinal), $"a line starts with '{l.Text[0]}' at {width} pt: {l.Text}"));
        }
    }

    [Fact]
    public void Wrap_Thai_BreaksBetweenWordsNotInsideThem()
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        var width = engine.Measure("สวัสดีชาว", Style) + 1;

        var lines = engine.Wrap("สวัสดีชาวโลก", Style, width);

        Assert.Equal(["สวัสดีชาว", "โลก"], lines.Select(l => l.Text));
    }

    [Fact]
    public void Wrap_CutByTheLineLimit_SaysHowMuchIsNotShown()
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        var text = new string('a', 200) + "…(+1,000)";

        var lines = engine.Wrap(text, Style, 100, maxLines: 1, showCutCount: true);

        var line = Assert.Single(lines);
        var shown = line.Text.IndexOf('…', StringComparison.Ordinal);
        Assert.EndsWith(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"…(+{200 - shown + 1_000:N0})"), line.Text, StringComparison.Ordinal);
        Assert.True(line.Width * Style.Size <= 100.01f);
    }

    /// <summary>A short cell text laid out again in the same document comes from its cache: the lines a fresh engine lays out.</summary>
    [Theory]
    [InlineData("Blocked")]
    [InlineData("–")]
    [InlineData("shop.example.com")]
    [InlineData("مثال.اختبار")]
    [InlineData("#1234 \u202E x")]
    public void Wrap_SameTextAgain_GivesTheLinesOfAFreshLayout(string text)
    {
        using var engine = new TextEngine(ReportFonts.Shared);
        var first = engine.Wrap(text, Style, 40, 2, showCutCount: true);

        var again = engine.Wrap(text, Style, 40, 2, showCutCount: true);

        Assert.Same(first, again);
        using var fresh = new TextEngine(ReportFonts.Shared);
        Assert.Equal(Describe(fresh.Wrap(text, Style, 40, 2, showCutCount: true)), Describe(again));
    }

    /// <summary>The cache is keyed by everything that changes a layout: role, size, width, line limit and cut count.</summary>
    [Fact]
    public void Wrap_SameTextOtherLayout_NeverGetsAnotherLayoutsLines()
    {
        const string text = "authentication bypass in login";
        var layouts = new (TextStyle Style, float Width, int MaxLines, bool CutCount)[]
        {
            (Style, 60, 2, false),
            (Style with { Role = FontRole.SansBold }, 60, 2, false),
            (Style with { Role = FontRole.Mono }, 60, 2, false),
            (Style with { Size = 7 }, 60, 2, false),
            (Style, 45, 2, false),
            (Style, 60, 1, false),
            (Style, 60, 1, true),
            (Style, 300, 2, false),
        };
        using var engine = new TextEngine(ReportFonts.Shared);
        foreach (var (style, width, maxLines, cutCount) in layouts.Concat(layouts))
        {
            var lines = engine.Wrap(text, style, width, maxLines, cutCount);

            using var fresh = new TextEngine(ReportFonts.Shared);
            Assert.Equal(Describe(fresh.Wrap(text, style, width, maxLines, cutCount)), Describe(lines));
        }
    }

    /// <summary>A value laid out without being remembered gets the same lines, and is not handed out again.</summary>
    [Fact]
    public void Wrap_NotRemembered_SameLinesNotKept()
    {
        using var engine = new TextEngine(ReportFonts.Shared);

        var once = engine.Wrap("12:03–12:09", Style, 50, 2, remember: false);
        var twice = engine.Wrap("12:03–12:09", Style, 50, 2, remember: false);

        Assert.NotSame(once, twice);
        Assert.Equal(Describe(engine.Wrap("12:03–12:09", Style, 50, 2)), Describe(once));
    }

    /// <summary>Everything a line draws: text, width, and per run its face, flags, position, glyphs, advances, offsets and clusters.</summary>
    private static string Describe(IReadOnlyList<TextLine> lines) => string.Join("\n", lines.Select(l =>
        FormattableString.Invariant($"{l.Text}|{l.Width}|") + string.Join(";", l.Runs.Select(r => FormattableString.Invariant(
            $"{r.Face.Name},{r.IsRtl},{r.IsEscape},{r.IsSimple},{r.X},{r.Width},{r.Text.Substring(r.Start, r.Length)},{string.Join(' ', r.Glyphs)},{string.Join(' ', r.Advances)},{string.Join(' ', r.OffsetsX ?? [])},{string.Join(' ', r.OffsetsY ?? [])},{string.Join(' ', r.Clusters)}")))));

    /// <summary>Characters of the Arabic runs that share a glyph with another (the lam-alef ligature and the like).</summary>
    private static int CombinedInArabic(TextLine line) =>
        line.Runs.Where(r => r.IsRtl).Sum(r => r.Clusters.Distinct().Sum(c => ClusterLength(r, c)) - r.Glyphs.Length);

    private static int ClusterLength(GlyphRun run, int cluster)
    {
        var starts = run.Clusters.Distinct().Order().ToList();
        var next = starts.FirstOrDefault(s => s > cluster, run.Start + run.Length);
        return next - cluster;
    }

    [Fact]
    public void Wrap_RightToLeftParagraph_KeepsLogicalTextAndIsolatesAreNotDrawn()
    {
        using var engine = new TextEngine(ReportFonts.Shared);

        var line = engine.SingleLine("Most exploited: " + Bidi.Isolate("تجاوز المصادقة") + " (3 incidents)", Style, 1000);

        Assert.Contains(line.Runs, r => r.IsRtl);
        Assert.DoesNotContain(line.Runs, r => r.IsEscape);
        // The isolates leave no glyph behind (HarfBuzz removes them), and nothing is drawn as .notdef.
        Assert.Equal(line.Text.Length - 2 - line.Text.Count(c => c == ' ') + line.Text.Count(c => c == ' '), line.Runs.Sum(r => r.Glyphs.Length) + CombinedInArabic(line));
        Assert.All(line.Runs, r => Assert.All(r.Glyphs, g => Assert.NotEqual(0, g)));
    }
}
