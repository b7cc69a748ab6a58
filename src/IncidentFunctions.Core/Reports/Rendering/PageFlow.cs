using SkiaSharp;

namespace IncidentFunctions.Reports.Rendering;

/// <summary>Page size and margins in points (1/72 inch).</summary>
public sealed record PageGeometry(float Width, float Height, float Margin, float HeaderHeight, float FooterHeight)
{
    public static PageGeometry A4Landscape { get; } = new(842, 595, 32, 22, 30);

    public static PageGeometry LetterLandscape { get; } = new(792, 612, 32, 22, 30);

    public float ContentLeft => Margin;

    public float ContentWidth => Width - (2 * Margin);

    public float ContentTop => Margin + HeaderHeight;

    public float ContentBottom => Height - Margin - FooterHeight;
}

/// <summary>A drawing placed on a page, with the box it was given.</summary>
internal readonly record struct PlacedItem(SKRect Box, Action<SKCanvas, SKRect> Draw);

/// <summary>An outline entry: a named destination at a point on a page.</summary>
internal sealed record OutlineEntry(string Title, string Destination, int PageIndex, float Y);

/// <summary>What goes on one page once the flow is laid out; drawn only when the page count is known.</summary>
internal sealed class LaidOutPage(int index)
{
    public int Index { get; } = index;

    public List<PlacedItem> Items { get; } = [];

    public List<OutlineEntry> Anchors { get; } = [];

    /// <summary>Table zebra stripes: filled as one path before the page's items (the PDF backend's cost is per draw).</summary>
    public List<SKRect> Stripes { get; } = [];

    /// <summary>Table row rules (y, from x, to x): stroked as one path after the page's items.</summary>
    public List<(float Y, float Left, float Right)> Rules { get; } = [];
}

/// <summary>
/// Places blocks top to bottom and starts a new page when the next block does not fit. Nothing is drawn here:
/// each block keeps a drawing callback, so the document can draw "page X of Y" once every page is known
/// (deferred drawing instead of two rendering passes).
/// </summary>
internal sealed class PageFlow
{
    /// <summary>
    /// A thousand: a day of that many incidents is laid out once. With 2,000, a 10,000-incident day's render held up to
    /// 20 MB more (<c>daily-report-memory</c>: 187-207 MB against 180-185 MB in three runs each).
    /// </summary>
    internal const int DefaultLaidOutRowBudget = 1_000;

    private readonly List<LaidOutPage> _pages = [];
    private float _y;
    private int _laidOutRows;

    public PageFlow(PageGeometry geometry, int laidOutRowBudget = DefaultLaidOutRowBudget)
    {
        Geometry = geometry;
        LaidOutRowBudget = laidOutRowBudget;
        NewPage();
    }

    public PageGeometry Geometry { get; }

    /// <summary>
    /// Table rows per document that keep their laid-out lines until drawing; beyond it rows are laid out again when
    /// drawn. A day of a thousand or so incidents pays layout once; a far bigger one holds no more lines than this.
    /// </summary>
    public int LaidOutRowBudget { get; }

    public IReadOnlyList<LaidOutPage> Pages => _pages;

    public LaidOutPage Current => _pages[^1];

    public float Left => Geometry.ContentLeft;

    public float Width => Geometry.ContentWidth;

    public float Remaining => Geometry.ContentBottom - _y;

    public float Y => _y;

    /// <summary>True when nothing has been placed on the current page yet.</summary>
    public bool AtPageTop => _y <= Geometry.ContentTop + 0.01f;

    public void NewPage()
    {
        _pages.Add(new LaidOutPage(_pages.Count));
        _y = Geometry.ContentTop;
    }

    /// <summary>Starts a new page unless <paramref name="height"/> still fits on this one.</summary>
    public void EnsureSpace(float height)
    {
        if (height > Remaining && !AtPageTop) NewPage();
    }

    /// <summary>Places a block that is never split; it moves to the next page when it does not fit.</summary>
    public SKRect Place(float height, Action<SKCanvas, SKRect> draw, float width = -1, float xOffset = 0)
    {
        EnsureSpace(height);
        var box = SKRect.Create(Left + xOffset, _y, width < 0 ? Width : width, height);
        Current.Items.Add(new PlacedItem(box, draw));
        _y += height;
        return box;
    }

    /// <summary>Places a block beside others on the same row without moving down (callers advance with <see cref="Gap"/>).</summary>
    public void PlaceAt(SKRect box, Action<SKCanvas, SKRect> draw) => Current.Items.Add(new PlacedItem(box, draw));

    /// <summary>True while the document's <see cref="LaidOutRowBudget"/> lasts (and counts the row).</summary>
    public bool TryKeepLaidOutRow() => _laidOutRows < LaidOutRowBudget && ++_laidOutRows > 0;

    public void Gap(float height)
    {
        _y = Math.Min(_y + height, Geometry.ContentBottom);
    }

    /// <summary>Marks the current position as an outline entry and link target.</summary>
    public void Anchor(string title, string destination)
    {
        var y = _y;
        Current.Anchors.Add(new OutlineEntry(title, destination, Current.Index, y));
        Current.Items.Add(new PlacedItem(SKRect.Create(Left, y, 1, 1), (c, box) => c.DrawNamedDestinationAnnotation(new SKPoint(box.Left, box.Top), destination)));
    }

    public IEnumerable<OutlineEntry> Outline => _pages.SelectMany(p => p.Anchors);
}
