using UglyToad.PdfPig;
using UglyToad.PdfPig.Actions;
using UglyToad.PdfPig.Annotations;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// Reads a report PDF back with PdfPig, honouring <c>/ActualText</c>: the renderer writes every word whose glyphs
/// cannot be mapped to its characters one by one (Arabic and Hebrew words, Indic conjuncts, emoji sequences) as
/// one ActualText span, in logical order. Two consequences for tests:
/// <list type="bullet">
/// <item>a page's text (<see cref="Pages"/>) is in logical order, so an Arabic title is found as typed; but
/// <see cref="Page.GetWords()"/> orders words by position, left to right, so the words of a right-to-left phrase
/// come out last word first;</item>
/// <item>such a word's text sits on its first glyph and its other glyphs read as empty, so its word box is the first
/// glyph's box only: boxes never overlap more because of it, but they do not cover the whole word.</item>
/// </list>
/// </summary>
internal static class PdfText
{
    public static PdfDocument Open(byte[] pdf) => PdfDocument.Open(pdf, new ParsingOptions { UseActualText = true });

    public static List<string> Pages(byte[] pdf)
    {
        using var document = Open(pdf);
        return document.GetPages().Select(p => p.Text).ToList();
    }

    /// <summary>Every page's text with line breaks and runs of spaces as one space, for finding a wrapped sentence on its page.</summary>
    public static List<string> FlatPages(byte[] pdf)
        => Pages(pdf).ConvertAll(p => string.Join(' ', p.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>Every page's words joined by single spaces, for finding phrases.</summary>
    public static string Words(byte[] pdf)
    {
        using var document = Open(pdf);
        return string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    public static int Count(string haystack, string needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Every pair of words on a page whose boxes overlap (by more than a hair), as "page: 'a' × 'b'".</summary>
    public static List<string> OverlappingWords(byte[] pdf)
    {
        using var document = Open(pdf);
        var found = new List<string>();
        foreach (var page in document.GetPages())
        {
            var words = page.GetWords().Where(w => !string.IsNullOrWhiteSpace(w.Text)).OrderBy(w => w.BoundingBox.Left).ToList();
            for (var a = 0; a < words.Count; a++)
            {
                for (var b = a + 1; b < words.Count && words[b].BoundingBox.Left < words[a].BoundingBox.Right; b++)
                {
                    if (Overlap(words[a].BoundingBox, words[b].BoundingBox)) found.Add($"{page.Number}: '{words[a].Text}' × '{words[b].Text}'");
                }
            }
        }

        return found;
    }

    /// <summary>The target of every link annotation in the document.</summary>
    public static List<string> LinkTargets(byte[] pdf)
    {
        using var document = Open(pdf);
        return document.GetPages().SelectMany(p => p.GetAnnotations())
            .Where(a => a.Type == AnnotationType.Link && a.Action is UriAction)
            .Select(a => ((UriAction)a.Action!).Uri)
            .ToList();
    }

    /// <summary>The words drawn in <paramref name="rgb"/> (0–1 per channel), per page.</summary>
    public static List<string> WordsInColour(byte[] pdf, (double R, double G, double B) rgb)
    {
        using var document = Open(pdf);
        var words = new List<string>();
        foreach (var page in document.GetPages())
        {
            foreach (var word in page.GetWords())
            {
                var first = word.Letters.Count > 0 ? word.Letters[0] : null;
                if (first?.Color is null) continue;
                var (r, g, b) = first.Color.ToRGBValues();
                if (Math.Abs(r - rgb.R) < 0.01 && Math.Abs(g - rgb.G) < 0.01 && Math.Abs(b - rgb.B) < 0.01) words.Add(word.Text);
            }
        }

        return words;
    }

    private static bool Overlap(PdfRectangle a, PdfRectangle b) =>
        a.Left < b.Right - 0.05 && b.Left < a.Right - 0.05 && a.Bottom < b.Top - 0.05 && b.Bottom < a.Top - 0.05;
}
