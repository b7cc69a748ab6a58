using System.Runtime.InteropServices;
using SkiaSharp;
using HB = HarfBuzzSharp;

namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// One embedded font file: its TrueType bytes, a Skia typeface (drawing, PDF embedding) and a HarfBuzz font made
/// from the same bytes (shaping), so glyph ids agree between the two. Metrics are in units of the font size
/// (an advance of 0.6 is 6 pt at 10 pt). Loaded once per process; shaping with it is thread-safe.
/// </summary>
internal sealed class FontFace
{
    private readonly float[] _advances;

    public FontFace(int id, string name, byte[] sfnt, bool isEmoji = false, bool isComplexScript = false)
    {
        Id = id;
        Name = name;
        IsEmoji = isEmoji;
        IsComplexScript = isComplexScript;
        Typeface = SKTypeface.FromData(SKData.CreateCopy(sfnt)) ?? throw new InvalidOperationException($"Embedded font '{name}' could not be loaded by Skia.");

        // Not HB.Blob.FromStream: HarfBuzzSharp 8.3.1.5 gives HarfBuzz the address of a managed array it does not
        // pin, so a compacting GC leaves the face reading garbage. A pinned copy lives as long as the blob, and is
        // the pruner's Sfnt too (it kept a third copy). Skia keeps its own: reading this one in place measured 3-4 %
        // slower reports (report 1000, four alternating runs).
        var pinned = GC.AllocateUninitializedArray<byte>(sfnt.Length, pinned: true);
        sfnt.CopyTo(pinned, 0);
        Sfnt = pinned;
        var blob = new HB.Blob(Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), pinned.Length, HB.MemoryMode.ReadOnly, () => GC.KeepAlive(pinned));
        blob.MakeImmutable();
        var face = new HB.Face(blob, 0);
        UnitsPerEm = face.UnitsPerEm;
        Shaper = new HB.Font(face);
        Shaper.SetScale(UnitsPerEm, UnitsPerEm);
        _advances = new float[Math.Max(1, face.GlyphCount)];
        Array.Fill(_advances, float.NaN);
    }

    public int Id { get; }

    public string Name { get; }

    /// <summary>The unpacked TrueType file (for documents that embed a copy pruned to the glyphs they draw).</summary>
    public byte[] Sfnt { get; }

    public SKTypeface Typeface { get; }

    /// <summary>HarfBuzz font at a scale of one unit per font unit.</summary>
    public HB.Font Shaper { get; }

    public int UnitsPerEm { get; }

    /// <summary>How many glyphs the font has (glyph ids are below this).</summary>
    public int GlyphCount => _advances.Length;

    /// <summary>Noto Emoji: emoji sequences resolve here before the text chains.</summary>
    public bool IsEmoji { get; }

    /// <summary>A face for a script that needs shaping (Arabic, Hebrew, Indic, Thai): HarfBuzz runs with all its default features.</summary>
    public bool IsComplexScript { get; }

    /// <summary>The nominal glyph of <paramref name="codePoint"/>, 0 when the font has none.</summary>
    public ushort GlyphOf(int codePoint) => Shaper.TryGetGlyph((uint)codePoint, out var glyph) ? (ushort)glyph : (ushort)0;

    /// <summary>The advance of <paramref name="glyph"/> at size 1 (from hmtx, as HarfBuzz positions it unshaped).</summary>
    public float Advance(ushort glyph)
    {
        if (glyph >= _advances.Length) return 0;
        var advance = _advances[glyph];
        if (float.IsNaN(advance))
        {
            // Benign race: every thread computes the same value.
            advance = Shaper.GetHorizontalGlyphAdvance(glyph) / (float)UnitsPerEm;
            _advances[glyph] = advance;
        }

        return advance;
    }
}
