using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering.Sections;

/// <summary>The company logo above a report's title: at most <see cref="Height"/> points high and a third of the text width wide, its proportions kept.</summary>
internal static class LogoBlock
{
    public const float Height = 36;

    public const float GapBelow = 8;

    public static void Place(PageFlow flow, LogoImage? logo)
    {
        if (logo is null) return;
        var image = logo.Image;
        var scale = Math.Min(Height / image.Height, flow.Width / 3 / image.Width);
        var (width, height) = (image.Width * scale, image.Height * scale);
        flow.Place(height + GapBelow, (c, box) => c.DrawImage(image, SKRect.Create(box.Left, box.Top, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)));
    }
}
