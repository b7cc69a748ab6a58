using ScottPlot;
using IncidentFunctions.Vocabulary;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>
/// Draws ScottPlot charts as vectors straight into the page canvas. ScottPlot asks its font resolvers for
/// typefaces by family name; the one registered here answers with the embedded faces, so charts never touch the
/// system's fonts either. Labels are reduced to what the primary face can draw (others become escapes), because
/// ScottPlot does no fallback of its own.
/// </summary>
internal static class ReportCharts
{
    public const string FontFamily = "IncidentReportSans";
    private static readonly Lazy<bool> Registered = new(() =>
    {
        lock (ScottPlot.Fonts.FontResolvers)
        {
            ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
        }

        return true;
    });

    private static readonly ScottPlot.Color BarColor = ScottPlot.Color.FromHex("#2563EB");
    private static readonly ScottPlot.Color LineColor = ScottPlot.Color.FromHex("#DC2626");

    /// <summary>Incidents per hour as bars (left axis) and hits as a line (right axis).</summary>
    public static void DrawHourly(SKCanvas canvas, SKRect box, IReadOnlyList<HourBucket> hours, TextEngine text)
    {
        using var plot = NewPlot("Incidents and hits per hour (by first hit within the day)");
        var bars = plot.Add.Bars(hours.Select(h => (double)h.Incidents).ToArray());
        bars.Color = BarColor;
        bars.LegendText = "Incidents";
        var xs = Enumerable.Range(0, hours.Count).Select(i => (double)i).ToArray();
        var line = plot.Add.Scatter(xs, hours.Select(h => (double)h.Hits).ToArray());
        line.Color = LineColor;
        line.MarkerSize = 3;
        line.LineWidth = 1.2f;
        line.LegendText = "Hits";
        line.Axes.YAxis = plot.Axes.Right;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var step = hours.Count > 24 || hours.Any(h => h.Label.Length > 5) ? 2 : 1;
        for (var i = 0; i < hours.Count; i += step) ticks.AddMajor(i, text.ToPrimaryFaceText(hours[i].Label, FontRole.Sans));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Left.Label.Text = "Incidents";
        plot.Axes.Right.Label.Text = "Hits";
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, Math.Max(1, hours.Max(h => h.Incidents)) * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, hours.Max(h => h.Hits)) * 1.15, plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.FontSize = 7;
        Render(plot, canvas, box);
    }

    /// <summary>Horizontal bars, largest at the top, with counts at the bar ends.</summary>
    public static void DrawRanking(SKCanvas canvas, SKRect box, string title, IReadOnlyList<NamedCount> counts, TextEngine text, string? emptyNote = null)
    {
        using var plot = NewPlot(title);
        if (counts.Count == 0 || counts.All(c => c.Count == 0))
        {
            plot.Axes.Frameless();
            var note = plot.Add.Text(text.ToPrimaryFaceText(emptyNote ?? "Nothing to show for this day.", FontRole.Sans), 0, 0);
            note.LabelFontSize = 8;
            note.LabelFontColor = ScottPlot.Color.FromHex("#6B7280");
            note.LabelAlignment = Alignment.MiddleCenter;
            plot.Axes.SetLimits(-1, 1, -1, 1);
            Render(plot, canvas, box);
            return;
        }

        var n = counts.Count;
        var bars = counts.Select((c, i) => new Bar
        {
            Position = n - 1 - i,
            Value = c.Count,
            FillColor = BarColor,
            LineWidth = 0,
            Label = Numbers.Number(c.Count),
        }).ToList();
        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        plottable.ValueLabelStyle.FontSize = 7;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < n; i++) ticks.AddMajor(n - 1 - i, Label(counts[i].Name, text));
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(0, counts.Max(c => c.Count) * 1.18);
        plot.Axes.SetLimitsY(-0.6, n - 0.4);
        plot.Grid.YAxisStyle.IsVisible = false;
        Render(plot, canvas, box);
    }

    private static string Label(string name, TextEngine text)
    {
        var clean = text.ToPrimaryFaceText(name, FontRole.Sans);
        return clean.Length <= 26 ? clean : string.Concat(clean.AsSpan(0, 25), "…");
    }

    private static Plot NewPlot(string title)
    {
        _ = Registered.Value;
        var plot = new Plot();
        plot.Font.Set(FontFamily);
        plot.Title(title, size: 9);
        plot.Axes.Title.Label.Bold = true;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 7;
        plot.Axes.Left.TickLabelStyle.FontSize = 7;
        plot.Axes.Right.TickLabelStyle.FontSize = 7;
        plot.Axes.Left.Label.FontSize = 7.5f;
        plot.Axes.Right.Label.FontSize = 7.5f;
        plot.Grid.MajorLineColor = ScottPlot.Color.FromHex("#E5E7EB");
        plot.FigureBackground.Color = Colors.White;
        return plot;
    }

    private static void Render(Plot plot, SKCanvas canvas, SKRect box)
    {
        // Re-assert the family after plottables were added: they may bring their own label styles.
        plot.Font.Set(FontFamily);
        canvas.Save();
        canvas.Translate(box.Left, box.Top);
        canvas.ClipRect(SKRect.Create(0, 0, box.Width, box.Height));
        plot.Render(canvas, (int)box.Width, (int)box.Height);
        canvas.Restore();
    }

    private sealed class EmbeddedFontResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing)
            => CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic)
            => fontName == FontFamily ? ReportFonts.Shared.Primary(bold ? FontRole.SansBold : FontRole.Sans).Typeface : null;
    }
}
