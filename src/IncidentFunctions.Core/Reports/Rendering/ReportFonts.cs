using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>Which family a piece of text is set in.</summary>
public enum FontRole
{
    Sans,
    SansBold,
    Mono,
}

/// <summary>One embedded font file, loaded as a Skia typeface.</summary>
internal sealed class FontFace(int id, string name, SKTypeface typeface, byte[]? prunableSfnt = null)
{
    public int Id { get; } = id;

    public string Name { get; } = name;

    public SKTypeface Typeface { get; } = typeface;

    /// <summary>For CJK fallback slices: the TrueType bytes, so a document can embed a copy with only the glyphs it draws.</summary>
    public byte[]? PrunableSfnt { get; } = prunableSfnt;
}

/// <summary>
/// The embedded fonts and the fallback order per <see cref="FontRole"/>: Noto Sans Latin, Latin Extended, Cyrillic,
/// Greek, then the Noto Sans SC slice that holds the code point. Typefaces are created from the assembly's resources
/// only (never from the system), lazily and once per process; CJK slices load on first use. Thread-safe.
/// </summary>
internal sealed class ReportFonts
{
    private const string ResourcePrefix = "IncidentFunctions.Reports.Fonts.";
    private const string CjkSlicePrefix = "noto-sans-sc-";
    private static readonly Lazy<ReportFonts> SharedInstance = new(() => new ReportFonts());

    private readonly Lock _gate = new();
    private readonly List<FontFace> _faces = [];
    private readonly Dictionary<string, FontFace> _byFile = new(StringComparer.Ordinal);
    private readonly (int From, int To, string Slice)[] _cjkRanges;
    private readonly Dictionary<FontRole, string[]> _chains = new()
    {
        [FontRole.Sans] = ["noto-sans-latin-400-normal", "noto-sans-latin-ext-400-normal", "noto-sans-cyrillic-400-normal", "noto-sans-greek-400-normal"],
        [FontRole.SansBold] = ["noto-sans-latin-700-normal", "noto-sans-latin-ext-700-normal", "noto-sans-cyrillic-700-normal", "noto-sans-greek-700-normal"],
        [FontRole.Mono] = ["noto-sans-mono-latin-400-normal", "noto-sans-latin-ext-400-normal", "noto-sans-cyrillic-400-normal", "noto-sans-greek-400-normal"],
    };

    private ReportFonts()
    {
        _cjkRanges = LoadCjkIndex();
    }

    public static ReportFonts Shared => SharedInstance.Value;

    /// <summary>Resolved and measured code points (below U+3000) per role, filled by the text engines and shared by every document.</summary>
    internal ConcurrentDictionary<(FontRole Role, int CodePoint), Glyph> Glyphs { get; } = new();

    /// <summary>The first face of <paramref name="role"/>: used for escapes and chart labels.</summary>
    public FontFace Primary(FontRole role) => Load(_chains[role][0]);

    /// <summary>The face that draws <paramref name="codePoint"/> in <paramref name="role"/>, or null when none has it.</summary>
    public FontFace? Resolve(FontRole role, int codePoint)
    {
        foreach (var file in _chains[role])
        {
            var face = Load(file);
            if (face.Typeface.GetGlyph(codePoint) != 0) return face;
        }

        var slice = FindCjkSlice(codePoint);
        if (slice is null) return null;
        var cjk = Load(slice);
        return cjk.Typeface.GetGlyph(codePoint) != 0 ? cjk : null;
    }

    private FontFace Load(string file)
    {
        lock (_gate)
        {
            if (_byFile.TryGetValue(file, out var known)) return known;
            using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(ResourcePrefix + file + ".woff")
                ?? throw new InvalidOperationException($"Embedded font '{file}.woff' is missing from IncidentFunctions.Core.");
            var woff = new byte[stream.Length];
            stream.ReadExactly(woff);
            var sfnt = Woff.ToSfnt(woff);
            var typeface = SKTypeface.FromData(SKData.CreateCopy(sfnt))
                ?? throw new InvalidOperationException($"Embedded font '{file}' could not be loaded by Skia.");
            var face = new FontFace(_faces.Count, file, typeface, file.StartsWith(CjkSlicePrefix, StringComparison.Ordinal) ? sfnt : null);
            _faces.Add(face);
            _byFile[file] = face;
            return face;
        }
    }

    private string? FindCjkSlice(int codePoint)
    {
        int lo = 0, hi = _cjkRanges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var (from, to, slice) = _cjkRanges[mid];
            if (codePoint < from) hi = mid - 1;
            else if (codePoint > to) lo = mid + 1;
            else return slice;
        }

        return null;
    }

    /// <summary>Reads the package's <c>unicode.json</c> (slice → <c>U+XXXX-YYYY,…</c>) into sorted ranges.</summary>
    private static (int From, int To, string Slice)[] LoadCjkIndex()
    {
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(ResourcePrefix + "noto-sans-sc-unicode.json")
            ?? throw new InvalidOperationException("Embedded CJK font index is missing from IncidentFunctions.Core.");
        var map = JsonSerializer.Deserialize(stream, ReportsJsonContext.Default.DictionaryStringString) ?? [];
        var ranges = new List<(int, int, string)>();
        foreach (var (key, value) in map)
        {
            // Only the numbered CJK slices ship; the named Latin/Cyrillic ones duplicate Noto Sans.
            if (!key.StartsWith('[')) continue;
            var slice = $"{CjkSlicePrefix}{key.Trim('[', ']')}-400-normal";
            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var span = part.AsSpan(2); // "U+"
                var dash = span.IndexOf('-');
                var from = int.Parse(dash < 0 ? span : span[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var to = dash < 0 ? from : int.Parse(span[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                ranges.Add((from, to, slice));
            }
        }

        return [.. ranges.OrderBy(r => r.Item1)];
    }
}
