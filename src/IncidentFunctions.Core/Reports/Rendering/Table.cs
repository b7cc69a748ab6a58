using IncidentFunctions.Reports.Rendering.Typesetting;
using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>A table column: header text, share of the table width, and alignment.</summary>
internal sealed record TableColumn(string Header, float Weight, TextAlign Align = TextAlign.Left);

/// <summary>
/// One paragraph inside a cell. <paramref name="Link"/> makes it a clickable URL: only for links the app builds (the
/// Console), drawn in <see cref="Typography.Link"/>; attacker text is never a link. <paramref name="ShowCutCount"/>:
/// when the line limit cuts the text, say how many characters are not shown. <paramref name="Unique"/>: a value that
/// differs from row to row (times, addresses, ids), laid out afresh rather than remembered for the document.
/// </summary>
internal sealed record CellPart(string Text, TextStyle Style, int MaxLines = 4, string? Link = null, bool ShowCutCount = false, bool Unique = false);

/// <summary>A cell: paragraphs stacked top to bottom.</summary>
internal sealed record TableCell(IReadOnlyList<CellPart> Parts)
{
    public static TableCell Of(string text, TextStyle style, int maxLines = 4, string? link = null) => new([new CellPart(text, style, maxLines, link)]);

    public static TableCell Of(params CellPart[] parts) => new(parts);
}

/// <summary>
/// Lays out a table row by row into a <see cref="PageFlow"/>. Rows are never split; when the next row does not fit,
/// the table continues on a new page under a repeated header (and an optional "continued" caption).
/// </summary>
internal static class Table
{
    private const float PadX = 3.5f;
    private const float PadY = 2.5f;

    // Shared and never changed: drawing only reads a paint. A page draws its tables' stripes and rules (ReportPdf).
    private static readonly SKPaint HeaderFillPaint = new() { Color = Typography.HeaderFill };
    internal static readonly SKPaint ZebraFillPaint = new() { Color = Typography.ZebraFill };
    internal static readonly SKPaint RulePaint = new() { Color = Typography.Rule, StrokeWidth = 0.4f, IsStroke = true };

    public static void Render(PageFlow flow, TextEngine text, IReadOnlyList<TableColumn> columns, IEnumerable<TableCell[]> rows, string? continuedCaption = null, TextStyle? headerStyle = null)
        => Render(flow, text, columns, rows, static row => row, continuedCaption, headerStyle);

    /// <summary>
    /// A row per item, made by <paramref name="row"/> when the row is laid out, and made again when it is drawn if it
    /// lies beyond the document's <see cref="PageFlow.LaidOutRowBudget"/>: a long table (every incident of a busy day)
    /// then keeps only its items, already held by the report, until its pages are drawn.
    /// </summary>
    public static void Render<T>(PageFlow flow, TextEngine text, IReadOnlyList<TableColumn> columns, IEnumerable<T> items, Func<T, TableCell[]> row, string? continuedCaption = null, TextStyle? headerStyle = null)
    {
        var totalWeight = columns.Sum(c => c.Weight);
        var widths = columns.Select(c => flow.Width * c.Weight / totalWeight).ToArray();
        headerStyle ??= Typography.SmallBold;
        var headerLines = columns.Select((c, i) => text.Wrap(c.Header, headerStyle, widths[i] - (2 * PadX), 2)).ToArray();
        var headerHeight = (headerLines.Max(l => l.Count) * headerStyle.LineHeight) + (2 * PadY);
        var captionHeight = continuedCaption is null ? 0 : Typography.SmallMuted.LineHeight + 2;

        void PlaceHeader(bool continued)
        {
            if (continued && continuedCaption is not null)
            {
                var caption = text.SingleLine(continuedCaption, Typography.SmallMuted, flow.Width);
                flow.Place(captionHeight, (c, box) => text.Draw(c, caption, Typography.SmallMuted, box.Left, box.Top));
            }

            flow.Place(headerHeight, (c, box) =>
            {
                c.DrawRect(box, HeaderFillPaint);
                var x = box.Left;
                for (var i = 0; i < columns.Count; i++)
                {
                    text.DrawLines(c, headerLines[i], headerStyle, x + PadX, box.Top + PadY, widths[i] - (2 * PadX), columns[i].Align);
                    x += widths[i];
                }
            });
        }

        var index = 0;
        foreach (var item in items)
        {
            // Within the document's budget a row is recorded as laid out (glyphs and positions, compact) and drawn from
            // the recording; beyond it the page keeps only the item, and the row is made, laid out and recorded again
            // when drawn (the same lines: layout is deterministic and the document's cache answers repeated texts). A
            // day of any size then holds at most the budget's recordings.
            var cells = row(item);
            RecordedRow? recorded = null;
            float height;
            if (flow.TryKeepLaidOutRow())
            {
                var laid = LayOut(text, cells, widths);
                height = Height(cells, laid) + (2 * PadY);
                recorded = Record(text, text.Recording, columns, widths, cells, laid);
            }
            else
            {
                height = Measure(text, cells, widths) + (2 * PadY);
            }

            if (index == 0)
            {
                flow.EnsureSpace(headerHeight + height);
                PlaceHeader(false);
            }
            else if (height > flow.Remaining)
            {
                flow.NewPage();
                PlaceHeader(true);
            }

            var zebra = index % 2 == 1;
            var box = flow.Place(height, recorded is null ? Deferred(text, columns, widths, item, row) : Kept(text, text.Recording, recorded));
            if (zebra) flow.Current.Stripes.Add(box);
            flow.Current.Rules.Add((box.Bottom, box.Left, box.Right));
            index++;
        }

        if (index == 0)
        {
            flow.EnsureSpace(headerHeight);
            PlaceHeader(false);
        }
    }

    // Each drawing closes over only what it draws from (a closure in the loop would share one capture of both).
    private static Action<SKCanvas, SKRect> Deferred<T>(TextEngine text, IReadOnlyList<TableColumn> columns, float[] widths, T item, Func<T, TableCell[]> row)
        => (c, box) =>
        {
            var cells = row(item);
            var scratch = text.Scratch;
            scratch.Clear();
            Draw(c, box, text, scratch, Record(text, scratch, columns, widths, cells, LayOut(text, cells, widths)));
        };

    private static Action<SKCanvas, SKRect> Kept(TextEngine text, GlyphRecording recording, RecordedRow recorded)
        => (c, box) => Draw(c, box, text, recording, recorded);

    /// <summary>The height of <paramref name="row"/>'s tallest cell (padding aside), as laid out.</summary>
    private static float Measure(TextEngine text, TableCell[] row, float[] widths)
    {
        var height = 0f;
        for (var i = 0; i < widths.Length; i++)
        {
            var parts = i < row.Length ? row[i].Parts : [];
            var cellHeight = 0d; // summed in double, as Enumerable.Sum does for floats: same layout to the last bit
            for (var p = 0; p < parts.Count; p++) cellHeight += Lines(text, parts[p], widths[i]).Count * parts[p].Style.LineHeight;
            height = Math.Max(height, (float)cellHeight);
        }

        return height;
    }

    /// <summary>Every part's lines, per cell.</summary>
    private static IReadOnlyList<TextLine>[][] LayOut(TextEngine text, TableCell[] row, float[] widths)
    {
        var laid = new IReadOnlyList<TextLine>[widths.Length][];
        for (var i = 0; i < widths.Length; i++)
        {
            var parts = i < row.Length ? row[i].Parts : [];
            laid[i] = new IReadOnlyList<TextLine>[parts.Count];
            for (var p = 0; p < parts.Count; p++) laid[i][p] = Lines(text, parts[p], widths[i]);
        }

        return laid;
    }

    /// <summary>As <see cref="Measure"/>, from lines already laid out.</summary>
    private static float Height(TableCell[] row, IReadOnlyList<TextLine>[][] laid)
    {
        var height = 0f;
        for (var i = 0; i < laid.Length; i++)
        {
            var cellHeight = 0d;
            for (var p = 0; p < laid[i].Length; p++) cellHeight += laid[i][p].Count * row[i].Parts[p].Style.LineHeight;
            height = Math.Max(height, (float)cellHeight);
        }

        return height;
    }

    /// <summary>
    /// Records <paramref name="row"/>'s lines cell by cell, placed relative to the row's top-left corner, with the boxes
    /// of its links; <see cref="Draw"/> then draws it wherever the row lands.
    /// </summary>
    private static RecordedRow Record(TextEngine text, GlyphRecording recording, IReadOnlyList<TableColumn> columns, float[] widths, TableCell[] row, IReadOnlyList<TextLine>[][] laid)
    {
        var first = recording.RunCount;
        List<(SKRect, string)>? links = null;
        var x = 0f;
        for (var i = 0; i < columns.Count; i++)
        {
            var y = PadY;
            var parts = i < row.Length ? row[i].Parts : [];
            for (var p = 0; p < parts.Count; p++)
            {
                var part = parts[p];
                var lines = laid[i][p];
                var used = text.RecordLines(recording, lines, part.Style, x + PadX, y, widths[i] - (2 * PadX), columns[i].Align);
                if (part.Link is not null && lines.Count > 0)
                {
                    var w = lines.Max(l => l.Width) * part.Style.Size;
                    (links ??= []).Add((SKRect.Create(x + PadX, y, Math.Min(w, widths[i] - (2 * PadX)), used), part.Link));
                }

                y += used;
            }

            x += widths[i];
        }

        return new RecordedRow(first, recording.RunCount - first, links);
    }

    private static void Draw(SKCanvas c, SKRect box, TextEngine text, GlyphRecording recording, RecordedRow row)
    {
        text.DrawRecorded(c, recording, row.FirstRun, row.RunCount, box.Left, box.Top);
        if (row.Links is null) return;
        foreach (var (area, url) in row.Links) text.DrawLink(c, SKRect.Create(box.Left + area.Left, box.Top + area.Top, area.Width, area.Height), url);
    }

    /// <summary>A row's runs in a <see cref="GlyphRecording"/>, and its links' boxes relative to the row.</summary>
    private sealed record RecordedRow(int FirstRun, int RunCount, List<(SKRect Area, string Url)>? Links);

    private static IReadOnlyList<TextLine> Lines(TextEngine text, CellPart part, float width)
        => text.Wrap(part.Text, part.Style, width - (2 * PadX), part.MaxLines, part.ShowCutCount, remember: !part.Unique);
}
