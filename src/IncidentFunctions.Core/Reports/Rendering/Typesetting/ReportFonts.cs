using System.Globalization;
using System.Text.Json;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// The embedded fonts and the fallback order per <see cref="FontRole"/>: Noto Sans (Latin, Latin Extended, Cyrillic,
/// Greek) in the role's weight, then one Noto Sans face per script (Arabic, Hebrew, Devanagari, Bengali, Tamil,
/// Kannada, Malayalam, Thai; regular weight only), then the Noto Sans SC slice and the Noto Sans KR slice holding the
/// code point. Emoji go to the Noto Emoji slice that has them first. SC comes before KR because the KR slices also
/// hold Han: Chinese text must not take Korean glyph shapes. Typefaces come from the assembly's resources only (never
/// from the system), each loaded on first use and once per process. Thread-safe.
/// </summary>
internal sealed class ReportFonts
{
    private const string ResourcePrefix = "IncidentFunctions.Reports.Fonts.";
    private static readonly Lazy<ReportFonts> SharedInstance = new(() => new ReportFonts());

    private static readonly string[] Scripts =
    [
        "noto-sans-arabic-arabic-400-normal", "noto-sans-hebrew-hebrew-400-normal", "noto-sans-devanagari-devanagari-400-normal",
        "noto-sans-bengali-bengali-400-normal", "noto-sans-tamil-tamil-400-normal", "noto-sans-kannada-kannada-400-normal",
        "noto-sans-malayalam-malayalam-400-normal", "noto-sans-thai-thai-400-normal",
    ];

    private readonly Lock _gate = new();
    private readonly List<FontFace> _faces = [];
    private readonly Dictionary<string, FontFace> _byFile = new(StringComparer.Ordinal);
    private readonly SliceIndex _cjk = SliceIndex.Load("noto-sans-sc", ResourcePrefix + "noto-sans-sc-unicode.json");
    private readonly SliceIndex _hangul = SliceIndex.Load("noto-sans-kr", ResourcePrefix + "noto-sans-kr-unicode.json");
    private readonly SliceIndex _emoji = SliceIndex.Load("noto-emoji", ResourcePrefix + "noto-emoji-unicode.json");
    private readonly Dictionary<FontRole, string[]> _chains = new()
    {
        [FontRole.Sans] = ["noto-sans-latin-400-normal", "noto-sans-latin-ext-400-normal", "noto-sans-cyrillic-400-normal", "noto-sans-greek-400-normal", .. Scripts],
        [FontRole.SansBold] = ["noto-sans-latin-700-normal", "noto-sans-latin-ext-700-normal", "noto-sans-cyrillic-700-normal", "noto-sans-greek-700-normal", .. Scripts],
        [FontRole.Mono] = ["noto-sans-mono-latin-400-normal", "noto-sans-latin-ext-400-normal", "noto-sans-cyrillic-400-normal", "noto-sans-greek-400-normal", .. Scripts],
    };

    private ReportFonts()
    {
    }

    public static ReportFonts Shared => SharedInstance.Value;

    /// <summary>Code points below this resolve through tables shared by every document (the set is bounded, hostile text cannot grow it).</summary>
    internal const int SharedGlyphLimit = 0x3000;

    /// <summary>
    /// Per role, code points below <see cref="SharedGlyphLimit"/> as resolved, filled on first use: one array read per
    /// character. Process-wide rather than per document (three such tables per document were a large-object
    /// allocation each time). Slots hold boxes: a reference is published whole, so a racing reader sees null or a
    /// complete value, and every thread computes the same value.
    /// </summary>
    private readonly ResolvedGlyph?[][] _low = [new ResolvedGlyph?[SharedGlyphLimit], new ResolvedGlyph?[SharedGlyphLimit], new ResolvedGlyph?[SharedGlyphLimit]];

    /// <summary>How <paramref name="codePoint"/> (below <see cref="SharedGlyphLimit"/>) resolves in <paramref name="role"/>; thread-safe.</summary>
    public CodePointGlyph SharedGlyph(FontRole role, int codePoint)
    {
        ref var slot = ref _low[(int)role][codePoint];
        var known = Volatile.Read(ref slot);
        if (known is null)
        {
            known = new ResolvedGlyph(GlyphFor(role, codePoint));
            Volatile.Write(ref slot, known);
        }

        return known.Value;
    }

    /// <summary>How <paramref name="codePoint"/> resolves in <paramref name="role"/>: its face (none: drawn as an escape), nominal glyph and advance.</summary>
    public CodePointGlyph GlyphFor(FontRole role, int codePoint)
    {
        var face = Resolve(role, codePoint);
        if (face is null) return new CodePointGlyph(null, 0, 0, Shaper.IsSimple(codePoint));
        var glyph = face.GlyphOf(codePoint);
        return new CodePointGlyph(face, glyph, face.Advance(glyph), Shaper.IsSimple(codePoint));
    }

    /// <summary>The first face of <paramref name="role"/>: escapes are drawn in the mono one.</summary>
    public FontFace Primary(FontRole role) => Load(_chains[role][0]);

    /// <summary>The face that draws <paramref name="codePoint"/> in <paramref name="role"/>, or null when none has it.</summary>
    public FontFace? Resolve(FontRole role, int codePoint)
    {
        if (IsEmoji(codePoint) && Sliced(_emoji, codePoint, emoji: true) is { } emoji) return emoji;
        foreach (var file in _chains[role])
        {
            var face = Load(file);
            if (face.GlyphOf(codePoint) != 0) return face;
        }

        return Sliced(_cjk, codePoint) ?? Sliced(_hangul, codePoint) ?? Sliced(_emoji, codePoint, emoji: true);
    }

    /// <summary>
    /// Code points drawn from the emoji font even when a text face has a glyph: pictographs, dingbats, regional
    /// indicators and the emoji modifiers (text faces have none of the sequences).
    /// </summary>
    public static bool IsEmoji(int cp) =>
        cp is (>= 0x1F000 and <= 0x1FAFF) or (>= 0x2600 and <= 0x27BF) or (>= 0x2B00 and <= 0x2BFF) or 0x231A or 0x231B or (>= 0x23E9 and <= 0x23FA);

    private FontFace? Sliced(SliceIndex index, int codePoint, bool emoji = false)
    {
        var slice = index.Find(codePoint);
        if (slice is null) return null;
        var face = Load(slice, emoji);
        return face.GlyphOf(codePoint) != 0 ? face : null;
    }

    private FontFace Load(string file, bool emoji = false)
    {
        lock (_gate)
        {
            if (_byFile.TryGetValue(file, out var known)) return known;
            using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(ResourcePrefix + file + ".woff")
                ?? throw new InvalidOperationException($"Embedded font '{file}.woff' is missing from IncidentFunctions.Core.");
            var woff = new byte[stream.Length];
            stream.ReadExactly(woff);
            var face = new FontFace(_faces.Count, file, Woff.ToSfnt(woff), emoji, Scripts.Contains(file, StringComparer.Ordinal));
            _faces.Add(face);
            _byFile[file] = face;
            return face;
        }
    }

    /// <summary>A family published in numbered slices, with the package's <c>unicode.json</c> (slice → <c>U+XXXX-YYYY,…</c>) as sorted ranges.</summary>
    private sealed class SliceIndex
    {
        private readonly (int From, int To, string Slice)[] _ranges;

        /// <summary>The largest range end among ranges[0..i]: bounds the backward scan when ranges overlap.</summary>
        private readonly int[] _maxTo;

        private SliceIndex((int From, int To, string Slice)[] ranges)
        {
            _ranges = ranges;
            _maxTo = new int[ranges.Length];
            for (var i = 0; i < ranges.Length; i++) _maxTo[i] = Math.Max(ranges[i].To, i > 0 ? _maxTo[i - 1] : 0);
        }

        public static SliceIndex Load(string family, string resource)
        {
            using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded font index '{resource}' is missing from IncidentFunctions.Core.");
            var map = JsonSerializer.Deserialize(stream, ReportsJsonContext.Default.DictionaryStringString) ?? [];
            var list = new List<(int, int, string)>();
            foreach (var (key, value) in map)
            {
                // Only numbered slices ship; the named Latin/Cyrillic ones duplicate Noto Sans.
                if (!key.StartsWith('[')) continue;
                var slice = $"{family}-{key.Trim('[', ']')}-400-normal";
                foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var span = part.AsSpan(2); // "U+"
                    var dash = span.IndexOf('-');
                    var from = int.Parse(dash < 0 ? span : span[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    var to = dash < 0 ? from : int.Parse(span[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    list.Add((from, to, slice));
                }
            }

            return new SliceIndex([.. list.OrderBy(r => r.Item1)]);
        }

        /// <summary>The first slice (in range order) whose ranges hold <paramref name="codePoint"/>.</summary>
        public string? Find(int codePoint)
        {
            // Ranges of different slices may overlap (shared characters such as U+200D): scan back from the last start ≤ cp
            // while an earlier range can still reach it; the first slice in range order wins, as a browser would pick.
            string? found = null;
            int lo = 0, hi = _ranges.Length - 1, last = -1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_ranges[mid].From <= codePoint)
                {
                    last = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            for (var i = last; i >= 0 && _maxTo[i] >= codePoint; i--)
            {
                if (codePoint <= _ranges[i].To) found = _ranges[i].Slice;
            }

            return found;
        }
    }
}

/// <summary>A resolved code point in a shared table slot (a class, so the slot is written atomically).</summary>
internal sealed record ResolvedGlyph(CodePointGlyph Value);

/// <summary>How one code point resolves in one role: its face (null: none has it), nominal glyph, advance at size 1, and whether it can skip shaping.</summary>
internal readonly record struct CodePointGlyph(FontFace? Face, ushort Glyph, float Advance, bool Simple);
