using IncidentFunctions.Reports.Rendering.Typesetting;
using IncidentFunctions.Vocabulary;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>A chart laid out for a given width: the height it needs and how to draw it in its box.</summary>
internal sealed record ChartLayout(float Height, Action<SKCanvas, SKRect> Draw);

/// <summary>One bar of <see cref="ReportCharts.StackedDays"/>: incidents by status (blocked, partial, monitoring, unknown) and hits.</summary>
internal sealed record StackedBucket(string Label, int[] Parts, long Hits)
{
    public long Total => Parts.Sum();
}

/// <summary>
/// The report's charts, drawn as vectors with the report's own text engine: labels use the same fonts, fallback,
/// shaping and bidi as the tables (every script, escapes for what no font has), and are laid out before drawing,
/// so they are measured (no label touches another or a bar) and their glyphs are known when fonts are pruned.
/// Each chart is as tall as its categories need: no empty bands.
/// </summary>
internal static class ReportCharts
{
    private const float RowHeight = 11;
    private const float BarThickness = 7.5f;
    private const float LabelGap = 5;
    private static readonly int[] LabelSteps = [1, 2, 3, 4, 6, 8, 12, 24];
    private static readonly double[] TickMultiples = [1, 2, 5, 10];
    private static readonly SKColor BarColor = new(0x25, 0x63, 0xEB);
    private static readonly SKColor LineColor = new(0xDC, 0x26, 0x26);
    private static readonly SKColor GridColor = new(0xE5, 0xE7, 0xEB);
    private static readonly SKColor AxisColor = new(0x9C, 0xA3, 0xAF);

    private static TextStyle Title => Typography.ChartTitle;

    private static TextStyle Label => Typography.ChartLabel;

    /// <summary>Horizontal bars, largest at the top, labels on the left, counts at the bar ends; one row per category.</summary>
    public static ChartLayout Ranking(TextEngine text, string title, IReadOnlyList<NamedCount> counts, float width, string? emptyNote = null)
    {
        var titleLine = text.SingleLine(title, Title, width);
        var top = Title.LineHeight + 3;
        if (counts.Count == 0 || counts.All(c => c.Count == 0))
        {
            var note = text.Wrap(emptyNote ?? "Nothing to show for this day.", Typography.SmallMuted, width, 2);
            return new ChartLayout(top + (note.Count * Typography.SmallMuted.LineHeight) + 2, (c, box) =>
            {
                text.Draw(c, titleLine, Title, box.Left, box.Top);
                text.DrawLines(c, note, Typography.SmallMuted, box.Left, box.Top + top);
            });
        }

        var values = counts.Select(c => text.SingleLine(Numbers.Number(c.Count), Label, width)).ToList();
        var valueWidth = values.Max(v => v.Width) * Label.Size;
        var labelWidth = Math.Min(counts.Max(c => text.Measure(c.Name, Label)), width * 0.4f);
        var labels = counts.Select(c => text.SingleLine(c.Name, Label, labelWidth)).ToList();
        var barLeft = labelWidth + LabelGap;
        var barSpace = Math.Max(10, width - barLeft - valueWidth - LabelGap);
        var max = counts.Max(c => c.Count);
        var height = top + (counts.Count * RowHeight) + 2;
        return new ChartLayout(height, (c, box) =>
        {
            text.Draw(c, titleLine, Title, box.Left, box.Top);
            using var bar = new SKPaint { Color = BarColor, IsAntialias = true };
            using var axis = new SKPaint { Color = AxisColor, StrokeWidth = 0.5f, IsStroke = true };
            var x0 = box.Left + barLeft;
            c.DrawLine(x0, box.Top + top, x0, box.Top + top + (counts.Count * RowHeight), axis);
            for (var i = 0; i < counts.Count; i++)
            {
                var rowTop = box.Top + top + (i * RowHeight);
                var textTop = rowTop + ((RowHeight - Label.LineHeight) / 2) + 0.5f;
                text.Draw(c, labels[i], Label, box.Left + labelWidth - (labels[i].Width * Label.Size), textTop);
                var length = max == 0 ? 0 : barSpace * counts[i].Count / max;
                c.DrawRect(SKRect.Create(x0, rowTop + ((RowHeight - BarThickness) / 2), length, BarThickness), bar);
                text.Draw(c, values[i], Label, x0 + length + 3, textTop);
            }
        });
    }

    /// <summary>Incidents per hour as bars (left axis) and hits as a line (right axis), hour labels as many as fit.</summary>
    public static ChartLayout Hourly(TextEngine text, IReadOnlyList<HourBucket> hours, float width, float plotHeight = 82)
    {
        var titleLine = text.SingleLine("Incidents and hits per hour (by first hit within the day)", Title, width * 0.6f);
        var incidentsLegend = text.SingleLine("Incidents", Label, width);
        var hitsLegend = text.SingleLine("Hits", Label, width);
        var (incidentTicks, incidentTop) = Ticks(hours.Count == 0 ? 0 : hours.Max(h => h.Incidents));
        var (hitTicks, hitTop) = Ticks(hours.Count == 0 ? 0 : hours.Max(h => h.Hits));
        var leftLabels = incidentTicks.Select(t => text.SingleLine(Numbers.Number(t), Label, width)).ToList();
        var rightLabels = hitTicks.Select(t => text.SingleLine(Numbers.Number(t), Label, width)).ToList();
        var leftWidth = (leftLabels.Max(l => l.Width) * Label.Size) + 4;
        var rightWidth = (rightLabels.Max(l => l.Width) * Label.Size) + 4;
        var plotLeft = leftWidth;
        var plotWidth = width - leftWidth - rightWidth;
        var slot = hours.Count == 0 ? plotWidth : plotWidth / hours.Count;

        // Every k-th hour labelled, k the smallest that keeps labels apart.
        var hourLabels = hours.Select(h => text.SingleLine(h.Label, Label, width)).ToList();
        var widest = hourLabels.Count == 0 ? 0 : hourLabels.Max(l => l.Width) * Label.Size;
        var step = LabelSteps.FirstOrDefault(k => (k * slot) >= widest + 4, 24);
        var top = Title.LineHeight + 4;
        var height = top + plotHeight + Label.LineHeight + 2;
        return new ChartLayout(height, (c, box) =>
        {
            text.Draw(c, titleLine, Title, box.Left, box.Top);

            // Legend at the top right: a bar swatch and a line swatch.
            using var bar = new SKPaint { Color = BarColor, IsAntialias = true };
            using var line = new SKPaint { Color = LineColor, IsAntialias = true, IsStroke = true, StrokeWidth = 1.2f };
            using var dot = new SKPaint { Color = LineColor, IsAntialias = true };
            using var grid = new SKPaint { Color = GridColor, StrokeWidth = 0.5f, IsStroke = true };
            using var axis = new SKPaint { Color = AxisColor, StrokeWidth = 0.6f, IsStroke = true };
            var legendRight = box.Right;
            var hitsWidth = hitsLegend.Width * Label.Size;
            var incidentsWidth = incidentsLegend.Width * Label.Size;
            var legendTop = box.Top + 1;
            text.Draw(c, hitsLegend, Label, legendRight - hitsWidth, legendTop);
            c.DrawLine(legendRight - hitsWidth - 14, legendTop + 4.5f, legendRight - hitsWidth - 3, legendTop + 4.5f, line);
            var incidentsRight = legendRight - hitsWidth - 24;
            text.Draw(c, incidentsLegend, Label, incidentsRight - incidentsWidth, legendTop);
            c.DrawRect(SKRect.Create(incidentsRight - incidentsWidth - 10, legendTop + 1.5f, 7, 6), bar);

            var plotTop = box.Top + top;
            var plotBottom = plotTop + plotHeight;
            var left = box.Left + plotLeft;
            for (var i = 0; i < incidentTicks.Count; i++)
            {
                var y = plotBottom - (plotHeight * incidentTicks[i] / incidentTop);
                c.DrawLine(left, y, left + plotWidth, y, grid);
                var l = leftLabels[i];
                text.Draw(c, l, Label, left - 3 - (l.Width * Label.Size), y - (Label.Ascent * 0.62f));
            }

            for (var i = 0; i < hitTicks.Count; i++)
            {
                var y = plotBottom - (plotHeight * hitTicks[i] / hitTop);
                text.Draw(c, rightLabels[i], Label, left + plotWidth + 3, y - (Label.Ascent * 0.62f));
            }

            c.DrawLine(left, plotBottom, left + plotWidth, plotBottom, axis);
            for (var i = 0; i < hours.Count; i++)
            {
                var h = plotHeight * hours[i].Incidents / incidentTop;
                c.DrawRect(SKRect.Create(left + (i * slot) + (slot * 0.15f), plotBottom - h, slot * 0.7f, h), bar);
                if (i % step == 0)
                {
                    var l = hourLabels[i];
                    text.Draw(c, l, Label, left + (i * slot) + ((slot - (l.Width * Label.Size)) / 2), plotBottom + 1.5f);
                }
            }

            if (hours.Count > 0)
            {
                using var path = new SKPath();
                for (var i = 0; i < hours.Count; i++)
                {
                    var point = new SKPoint(left + ((i + 0.5f) * slot), plotBottom - (plotHeight * hours[i].Hits / hitTop));
                    if (i == 0) path.MoveTo(point);
                    else path.LineTo(point);
                }

                c.DrawPath(path, line);
                for (var i = 0; i < hours.Count; i++) c.DrawCircle(left + ((i + 0.5f) * slot), plotBottom - (plotHeight * hours[i].Hits / hitTop), 1.3f, dot);
            }
        });
    }

    /// <summary>
    /// Incidents per day as bars stacked by status (blocked, partially blocked, monitoring, unknown; left axis) and hits
    /// as a line (right axis). Every label is shown when it fits, otherwise every k-th.
    /// </summary>
    public static ChartLayout StackedDays(TextEngine text, string title, IReadOnlyList<StackedBucket> buckets, float width, float plotHeight = 96)
    {
        var colors = new[] { Typography.Blocked, Typography.Partial, Typography.Monitoring, AxisColor };
        var names = new[] { Labels.Status(Incidents.IncidentStatus.Blocked), Labels.Status(Incidents.IncidentStatus.PartiallyBlocked), Labels.Status(Incidents.IncidentStatus.Monitoring), Labels.Status(Incidents.IncidentStatus.Unknown) };
        var titleLine = text.SingleLine(title, Title, width * 0.5f);
        // "Unknown status" is named only when some incident has it.
        var series = buckets.Any(b => b.Parts[3] > 0) ? 4 : 3;
        var legend = names.Take(series).Select(n => text.SingleLine(n, Label, width)).Append(text.SingleLine("Hits", Label, width)).ToList();
        var (incidentTicks, incidentTop) = Ticks(buckets.Count == 0 ? 0 : buckets.Max(b => b.Total));
        var (hitTicks, hitTop) = Ticks(buckets.Count == 0 ? 0 : buckets.Max(b => b.Hits));
        var leftLabels = incidentTicks.Select(t => text.SingleLine(Numbers.Number(t), Label, width)).ToList();
        var rightLabels = hitTicks.Select(t => text.SingleLine(Numbers.Number(t), Label, width)).ToList();
        var leftWidth = (leftLabels.Max(l => l.Width) * Label.Size) + 4;
        var rightWidth = (rightLabels.Max(l => l.Width) * Label.Size) + 4;
        var plotWidth = width - leftWidth - rightWidth;
        var slot = buckets.Count == 0 ? plotWidth : plotWidth / buckets.Count;
        var labels = buckets.Select(b => text.SingleLine(b.Label, Label, width)).ToList();
        var widest = labels.Count == 0 ? 0 : labels.Max(l => l.Width) * Label.Size;
        var step = LabelSteps.FirstOrDefault(k => (k * slot) >= widest + 4, 24);
        var top = Title.LineHeight + 4;
        var height = top + plotHeight + Label.LineHeight + 2;
        return new ChartLayout(height, (c, box) =>
        {
            text.Draw(c, titleLine, Title, box.Left, box.Top);
            using var grid = new SKPaint { Color = GridColor, StrokeWidth = 0.5f, IsStroke = true };
            using var axis = new SKPaint { Color = AxisColor, StrokeWidth = 0.6f, IsStroke = true };
            using var line = new SKPaint { Color = Typography.Accent, IsAntialias = true, IsStroke = true, StrokeWidth = 1.2f };
            using var dot = new SKPaint { Color = Typography.Accent, IsAntialias = true };
            var fills = colors.Select(color => new SKPaint { Color = color, IsAntialias = true }).ToArray();
            try
            {
                // Legend at the top right, right to left: hits (line), then the statuses (swatches).
                var x = box.Right;
                var legendTop = box.Top + 1;
                for (var i = legend.Count - 1; i >= 0; i--)
                {
                    var w = legend[i].Width * Label.Size;
                    x -= w;
                    text.Draw(c, legend[i], Label, x, legendTop);
                    if (i == legend.Count - 1) c.DrawLine(x - 13, legendTop + 4.5f, x - 3, legendTop + 4.5f, line);
                    else c.DrawRect(SKRect.Create(x - 10, legendTop + 1.5f, 7, 6), fills[i]);
                    x -= 20;
                }

                var plotTop = box.Top + top;
                var plotBottom = plotTop + plotHeight;
                var left = box.Left + leftWidth;
                for (var i = 0; i < incidentTicks.Count; i++)
                {
                    var y = plotBottom - (plotHeight * incidentTicks[i] / incidentTop);
                    c.DrawLine(left, y, left + plotWidth, y, grid);
                    text.Draw(c, leftLabels[i], Label, left - 3 - (leftLabels[i].Width * Label.Size), y - (Label.Ascent * 0.62f));
                }

                for (var i = 0; i < hitTicks.Count; i++)
                {
                    var y = plotBottom - (plotHeight * hitTicks[i] / hitTop);
                    text.Draw(c, rightLabels[i], Label, left + plotWidth + 3, y - (Label.Ascent * 0.62f));
                }

                c.DrawLine(left, plotBottom, left + plotWidth, plotBottom, axis);
                for (var i = 0; i < buckets.Count; i++)
                {
                    var y = plotBottom;
                    var parts = buckets[i].Parts;
                    for (var p = 0; p < parts.Length; p++)
                    {
                        var h = plotHeight * parts[p] / incidentTop;
                        c.DrawRect(SKRect.Create(left + (i * slot) + (slot * 0.18f), y - h, slot * 0.64f, h), fills[p]);
                        y -= h;
                    }

                    if (i % step == 0) text.Draw(c, labels[i], Label, left + (i * slot) + ((slot - (labels[i].Width * Label.Size)) / 2), plotBottom + 1.5f);
                }

                if (buckets.Count > 0)
                {
                    using var path = new SKPath();
                    for (var i = 0; i < buckets.Count; i++)
                    {
                        var point = new SKPoint(left + ((i + 0.5f) * slot), plotBottom - (plotHeight * buckets[i].Hits / hitTop));
                        if (i == 0) path.MoveTo(point);
                        else path.LineTo(point);
                        c.DrawCircle(point, 1.4f, dot);
                    }

                    c.DrawPath(path, line);
                }
            }
            finally
            {
                foreach (var fill in fills) fill.Dispose();
            }
        });
    }

    /// <summary>About four "nice" ticks (1, 2, 5 × 10^n) from 0 to at least <paramref name="max"/>; the axis top is the last tick.</summary>
    internal static (List<long> Ticks, float Top) Ticks(long max)
    {
        if (max <= 0) return ([0, 1], 1);
        var raw = max / 4.0;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (long)Math.Max(1, TickMultiples.Select(m => m * magnitude).First(s => s >= raw));
        var ticks = new List<long>();
        for (long t = 0; ; t += step)
        {
            ticks.Add(t);
            if (t >= max) break;
        }

        return (ticks, ticks[^1]);
    }
}
