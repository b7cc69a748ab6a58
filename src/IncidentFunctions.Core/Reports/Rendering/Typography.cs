using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>Which family a piece of text is set in.</summary>
public enum FontRole
{
    Sans,
    SansBold,
    Mono,
}

/// <summary>Horizontal alignment inside a box.</summary>
public enum TextAlign
{
    Left,
    Right,
    Center,
}

/// <summary>A font role, size in points and colour; line height derives from the size.</summary>
public sealed record TextStyle(FontRole Role, float Size, SKColor Color)
{
    public float LineHeight => MathF.Round(Size * 1.32f, 2);

    /// <summary>Distance from a line's top to its baseline.</summary>
    public float Ascent => MathF.Round(Size * 1.02f, 2);

    public TextStyle WithColor(SKColor color) => this with { Color = color };

    public TextStyle Bold() => this with { Role = FontRole.SansBold };
}

/// <summary>Every text style and colour of the report, in one place.</summary>
public static class Typography
{
    public static readonly SKColor Ink = new(0x1F, 0x29, 0x37);
    public static readonly SKColor Muted = new(0x6B, 0x72, 0x80);
    public static readonly SKColor Accent = new(0x1D, 0x4E, 0xD8);
    public static readonly SKColor Rule = new(0xD1, 0xD5, 0xDB);
    public static readonly SKColor HeaderFill = new(0xE5, 0xE7, 0xEB);
    public static readonly SKColor ZebraFill = new(0xF6, 0xF7, 0xF9);
    public static readonly SKColor WarningInk = new(0x92, 0x40, 0x0E);
    public static readonly SKColor WarningFill = new(0xFE, 0xF3, 0xC7);
    public static readonly SKColor WarningRule = new(0xD9, 0x77, 0x06);
    public static readonly SKColor Escape = new(0xB4, 0x23, 0x18);
    public static readonly SKColor Blocked = new(0x15, 0x80, 0x3D);
    public static readonly SKColor Partial = new(0xCA, 0x8A, 0x04);
    public static readonly SKColor Monitoring = new(0xDC, 0x26, 0x26);

    public static TextStyle Title { get; } = new(FontRole.SansBold, 18, Ink);

    public static TextStyle Subtitle { get; } = new(FontRole.Sans, 10, Muted);

    public static TextStyle SectionHeading { get; } = new(FontRole.SansBold, 12.5f, Ink);

    public static TextStyle Body { get; } = new(FontRole.Sans, 9, Ink);

    public static TextStyle BodyBold { get; } = new(FontRole.SansBold, 9, Ink);

    public static TextStyle Small { get; } = new(FontRole.Sans, 7.5f, Ink);

    public static TextStyle SmallMuted { get; } = new(FontRole.Sans, 7, Muted);

    public static TextStyle SmallBold { get; } = new(FontRole.SansBold, 7.5f, Ink);

    public static TextStyle Code { get; } = new(FontRole.Mono, 7, Ink);

    public static TextStyle FigureValue { get; } = new(FontRole.SansBold, 15, Ink);

    public static TextStyle FigureLabel { get; } = new(FontRole.Sans, 7.5f, Muted);

    public static TextStyle Warning { get; } = new(FontRole.SansBold, 9, WarningInk);

    public static TextStyle RunningHeader { get; } = new(FontRole.Sans, 7.5f, Muted);

    public static TextStyle Footer { get; } = new(FontRole.Sans, 6.5f, Muted);

    /// <summary>The handling marking (<c>Reports:Marking</c>) at the right of every header and footer: it must stand out.</summary>
    public static TextStyle Marking { get; } = new(FontRole.SansBold, 7.5f, Ink);

    /// <summary>Only for links the app builds (the Console); attacker text is never drawn in this style.</summary>
    public static TextStyle Link { get; } = new(FontRole.Sans, 7.5f, Accent);

    /// <summary>The compact incident table: one size smaller, so the Console's columns fit on one line.</summary>
    public static TextStyle Compact { get; } = new(FontRole.Sans, 7, Ink);

    public static TextStyle CompactBold { get; } = new(FontRole.SansBold, 7, Ink);

    public static TextStyle CompactMuted { get; } = new(FontRole.Sans, 6.5f, Muted);

    public static TextStyle CompactCode { get; } = new(FontRole.Mono, 6.8f, Ink);

    public static TextStyle CompactLink { get; } = new(FontRole.Sans, 7, Accent);

    public static TextStyle ChartTitle { get; } = new(FontRole.SansBold, 8.5f, Ink);

    public static TextStyle ChartLabel { get; } = new(FontRole.Sans, 7, Ink);
}
