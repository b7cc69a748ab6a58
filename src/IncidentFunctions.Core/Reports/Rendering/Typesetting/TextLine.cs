namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>
/// Glyphs of one face and one direction, as the shaper placed them. Metrics are at size 1 (multiply by the style's
/// size). Glyphs are in visual order, left to right; <see cref="Clusters"/> give, per glyph, the index in
/// <see cref="Text"/> of the character cluster it draws, so the PDF can say which text each glyph stands for.
/// </summary>
internal sealed class GlyphRun
{
    public required FontFace Face { get; init; }

    /// <summary>The string <see cref="Clusters"/> index into: the line's text, or for an escape its <c>[U+XXXX]</c> form.</summary>
    public required string Text { get; init; }

    /// <summary>The characters of <see cref="Text"/> this run draws.</summary>
    public required int Start { get; init; }

    public required int Length { get; init; }

    public required ushort[] Glyphs { get; init; }

    public required float[] Advances { get; init; }

    /// <summary>Horizontal offsets from the pen position (marks); null when all are zero.</summary>
    public float[]? OffsetsX { get; init; }

    /// <summary>Vertical offsets, up positive (marks); null when all are zero.</summary>
    public float[]? OffsetsY { get; init; }

    public required int[] Clusters { get; init; }

    public bool IsRtl { get; init; }

    /// <summary>A code point no font has, drawn as its <c>[U+XXXX]</c> form in the escape colour.</summary>
    public bool IsEscape { get; init; }

    /// <summary>One glyph per character, left to right, no offsets: text and glyphs map one to one.</summary>
    public bool IsSimple { get; init; }

    /// <summary>For an escape: the index in the line's text of the code point it stands for, and its length.</summary>
    public int SourceStart { get; init; }

    public int SourceLength { get; init; }

    /// <summary>Left edge within the line.</summary>
    public float X { get; set; }

    public required float Width { get; init; }
}

/// <summary>One laid-out line: runs in visual order and the total advance at size 1 (scale by the style's size).</summary>
internal sealed class TextLine(GlyphRun[] runs, float width, string text)
{
    public static TextLine Empty { get; } = new([], 0, "");

    public GlyphRun[] Runs { get; } = runs;

    public float Width { get; } = width;

    /// <summary>The line's logical text (escapes not expanded).</summary>
    public string Text { get; } = text;
}
